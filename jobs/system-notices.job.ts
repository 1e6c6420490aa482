import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { scheduleJob } from './schedule.js';

/** Scheduled system notices that are due go out, each once across processes (the service claims them). */
export const scheduleSystemNotices = (expression: string) => scheduleJob(expression, 'system notices', sendDueSystemNotices);
