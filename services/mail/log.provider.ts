import { logger } from '../../utils/logger.js';
import type { MailMessage, MailProvider } from './mail.provider.js';

/**
 * Development default: the message goes to the log so a developer can click its link.
 * Config refuses this provider in production, where links are live credentials.
 */
export class LogMailProvider implements MailProvider {
  readonly name = 'log';

  async send(message: MailMessage): Promise<void> {
    logger.info('mail (log provider)', { mailTo: message.to, subject: message.subject, body: message.text });
  }
}
