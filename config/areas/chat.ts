import { z } from 'zod';
import { parseKeys } from '../../utils/text-cipher.js';
import { MB } from '../../utils/units.js';
import { DEFAULT_CHAT_FILE_TYPES, NEVER_SENT_TYPES } from '../constants.js';
import { bool, defineArea, int, splitList } from '../env-rules.js';

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
    // Groups one account may create in 30 days: each is one more read in every conversation
    // list and sync of each of its members, left or not.
    CHAT_MAX_GROUPS_CREATED: int(200, 1, 100_000),
    CHAT_EDIT_WINDOW_MINUTES: int(15, 0, 10_080),
    CHAT_MAX_TEXT: int(4000, 1, 20_000),
    CHAT_REQUIRES_PLAN: bool(false),
    CHAT_PROFANITY: z.enum(['mask', 'refuse', 'off']).default('mask'),
    PRESENCE_GRACE_MS: int(5000, 0, 120_000),
    // How long calls, a match ticket and a pending match wait for someone whose last socket closed.
    RECONNECT_GRACE_MS: int(5000, 0, 30_000),
    PRESENCE_HEARTBEAT_MS: int(5000, 50, 60_000),
    SOCKET_EVENTS_PER_SECOND: int(20, 1, 1_000_000),
    TYPING_TTL_MS: int(5000, 500, 60_000),
    CHAT_IMAGE_MAX_BYTES: int(15 * MB, 1024, 100 * MB),
    CHAT_VIDEO_MAX_BYTES: int(100 * MB, 1024, 2048 * MB),
    CHAT_VIDEO_MAX_SECONDS: int(180, 1, 1800),
    CHAT_VIDEO_SHORT_SIDE: int(720, 144, 2160),
    CHAT_VOICE_MAX_BYTES: int(10 * MB, 1024, 200 * MB),
    CHAT_VOICE_MAX_SECONDS: int(300, 1, 3600),
    CHAT_FILE_MAX_BYTES: int(25 * MB, 1024, 2048 * MB),
    CHAT_FILE_TYPES: z.string().default(DEFAULT_CHAT_FILE_TYPES.join(',')).transform(splitList),
    CHAT_UNSENT_ATTACHMENT_HOURS: int(24, 1, 720),
    CHAT_UPLOAD_BYTES_PER_DAY: int(1024 * MB, MB, 1024 * 1024 * MB),
  },
  check: (e, { production }) => {
    if (production && !e.CHAT_KEYS) return ['CHAT_KEYS: required in production (id:base64 32-byte key, comma-separated)'];
    const { keys, keyId } = chatKeys(e);
    const problems = [...keys]
      .filter(([, key]) => key.length !== 32)
      .map(([id]) => `CHAT_KEYS: key "${id}" is not 32 bytes of base64`);
    if (!keys.has(keyId)) problems.push(`CHAT_KEY_ID: no key "${keyId}" in CHAT_KEYS`);
    const never: readonly string[] = NEVER_SENT_TYPES;
    for (const type of e.CHAT_FILE_TYPES.filter((t) => never.includes(t) || /macroenabled/i.test(t))) {
      problems.push(`CHAT_FILE_TYPES: ${type} runs code where it is opened and is never sent`);
    }
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
        maxGroupsCreated: e.CHAT_MAX_GROUPS_CREATED,
        editWindowMs: e.CHAT_EDIT_WINDOW_MINUTES * 60_000,
        maxText: e.CHAT_MAX_TEXT,
        requiresPlan: e.CHAT_REQUIRES_PLAN,
        profanity: e.CHAT_PROFANITY,
        presenceGraceMs: e.PRESENCE_GRACE_MS,
        // A socket renewed at its token's expiry, a page reload or a network blip reconnects well within it.
        reconnectGraceMs: e.RECONNECT_GRACE_MS,
        // A process silent for four heartbeats is dead: the others sweep its sockets.
        presenceHeartbeatMs: e.PRESENCE_HEARTBEAT_MS,
        typingTtlMs: e.TYPING_TTL_MS,
        socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
        // Attachments: the largest upload of each kind, how long clips may run, what files may be.
        media: {
          maxBytes: {
            image: e.CHAT_IMAGE_MAX_BYTES,
            video: e.CHAT_VIDEO_MAX_BYTES,
            voice: e.CHAT_VOICE_MAX_BYTES,
            file: e.CHAT_FILE_MAX_BYTES,
          },
          videoMaxSeconds: e.CHAT_VIDEO_MAX_SECONDS,
          videoShortSide: e.CHAT_VIDEO_SHORT_SIDE,
          voiceMaxSeconds: e.CHAT_VOICE_MAX_SECONDS,
          fileTypes: e.CHAT_FILE_TYPES,
          unsentAfterMs: e.CHAT_UNSENT_ATTACHMENT_HOURS * 3_600_000,
          // What one account may upload in a UTC day, all kinds together: what is sent is kept.
          bytesPerDay: e.CHAT_UPLOAD_BYTES_PER_DAY,
        },
      },
    };
  },
});
