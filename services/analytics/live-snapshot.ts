import { Call } from '../../models/call.model.js';
import { Match } from '../../models/match.model.js';
import type { QueueStore } from '../match/queue.store.js';
import type { PresenceStore } from '../presence/presence.store.js';
import { liveLastMinute } from './live.js';

export interface LiveSnapshot {
  at: string;
  /** People with a socket open in any process. */
  online: number;
  messagesPerMinute: number;
  /** Matches waiting for answers, and calls ringing or connected. */
  matches: { pending: number };
  calls: { ringing: number; connected: number };
  queues: { chat: number; video: number };
}

/** The platform now, from shared state only (Redis or memory, and indexed counts). */
export async function liveSnapshot({
  presence,
  matchmaker,
}: {
  presence: { store: PresenceStore };
  matchmaker: { store: QueueStore };
}): Promise<LiveSnapshot> {
  const now = Date.now();
  const [online, messagesPerMinute, pending, ringing, connected, chat, video] = await Promise.all([
    presence.store.online(now),
    liveLastMinute('message', now),
    Match.countDocuments({ status: 'pending' }),
    Call.countDocuments({ status: 'ringing' }),
    Call.countDocuments({ status: 'connected' }),
    matchmaker.store.size('chat'),
    matchmaker.store.size('video'),
  ]);
  return {
    at: new Date(now).toISOString(),
    online,
    messagesPerMinute,
    matches: { pending },
    calls: { ringing, connected },
    queues: { chat, video },
  };
}
