import { z } from 'zod';
import { parseKeys } from '../../utils/text-cipher.js';
import { bool, defineArea, int } from '../env-rules.js';

// Development only: production refuses to start without CHAT_KEYS.
const DEV_CHAT_KEYS = `dev:${Buffer.alloc(32, 7).toString('base64')}`;

/** The message keys by id, and the one new messages are sealed with (the last unless named). */
function chatKeys(e: { CHAT_KEYS?: string | undefined; CHAT_KEY_ID?: string | undefined }) {
  const keys = parseKeys(e.CHAT_KEYS ?? DEV_CHAT_KEYS);
  return { keys, keyId: e.CHAT_KEY_ID ?? [...keys.keys()].at(-1) ?? '' };
}

/** Chat: message keys, groups, editing, profanity, presence and socket budgets. */
export const chat = defineArea({
  vars: {
    CHAT_KEYS: z.string().min(1).optional(),
    CHAT_KEY_ID: z.string().min(1).optional(),
    CHAT_GROUP_MAX_MEMBERS: int(256, 3, 5000),
    CHAT_EDIT_WINDOW_MINUTES: int(15, 0, 10_080),
    CHAT_MAX_TEXT: int(4000, 1, 20_000),
    CHAT_REQUIRES_PLAN: bool(false),
    CHAT_PROFANITY: z.enum(['mask', 'refuse', 'off']).default('mask'),
    PRESENCE_GRACE_MS: int(5000, 0, 120_000),
    PRESENCE_HEARTBEAT_MS: int(5000, 50, 60_000),
    SOCKET_EVENTS_PER_SECOND: int(20, 1, 1_000_000),
    TYPING_TTL_MS: int(5000, 500, 60_000),
  },
  check: (e, { production }) => {
    if (production && !e.CHAT_KEYS) return ['CHAT_KEYS: required in production (id:base64 32-byte key, comma-separated)'];
    const { keys, keyId } = chatKeys(e);
    const problems = [...keys]
      .filter(([, key]) => key.length !== 32)
      .map(([id]) => `CHAT_KEYS: key "${id}" is not 32 bytes of base64`);
    if (!keys.has(keyId)) problems.push(`CHAT_KEY_ID: no key "${keyId}" in CHAT_KEYS`);
    return problems;
  },
  settings: (e) => {
    const { keys, keyId } = chatKeys(e);
    return {
      chat: {
        keys,
        // New messages are sealed with this key; the others still open older ones.
        keyId,
        groupMaxMembers: e.CHAT_GROUP_MAX_MEMBERS,
        editWindowMs: e.CHAT_EDIT_WINDOW_MINUTES * 60_000,
        maxText: e.CHAT_MAX_TEXT,
        requiresPlan: e.CHAT_REQUIRES_PLAN,
        profanity: e.CHAT_PROFANITY,
        presenceGraceMs: e.PRESENCE_GRACE_MS,
        // A process silent for four heartbeats is dead: the others sweep its sockets.
        presenceHeartbeatMs: e.PRESENCE_HEARTBEAT_MS,
        typingTtlMs: e.TYPING_TTL_MS,
        socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
      },
    };
  },
});
