import { z } from 'zod';
import {
  deleteMessage,
  editMessage,
  markRead,
  sendMessage,
  syncMessages,
  toggleReaction,
} from '../services/chat/message.service.js';
import { setTyping } from '../services/chat/typing.service.js';
import { objectIdSchema, onEvent, parsePayload } from './payload.js';
import type { AppSocket } from './socket.types.js';

const objectId = objectIdSchema;
// Emoji only: short, and never a character that would make a bad field name.
const emoji = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[^.$\s]+$/u, 'must be an emoji')
  .regex(/\p{Extended_Pictographic}/u, 'must be an emoji');

export const chatSchemas = {
  send: z
    .strictObject({
      conversationId: objectId.optional(),
      toUserId: objectId.optional(),
      clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 of A-Z a-z 0-9 _ -'),
      text: z.string().max(20_000).optional(),
      attachmentId: z
        .string()
        .regex(/^[0-9a-f]{24}$/)
        .optional(),
      replyToId: objectId.optional(),
    })
    .refine((p) => Boolean(p.conversationId) !== Boolean(p.toUserId), 'give conversationId or toUserId'),
  typing: z.strictObject({ conversationId: objectId, isTyping: z.boolean() }),
  read: z.strictObject({ conversationId: objectId, upToMessageId: objectId }),
  react: z.strictObject({ messageId: objectId, emoji }),
  edit: z.strictObject({ messageId: objectId, text: z.string().min(1).max(20_000) }),
  delete: z.strictObject({ messageId: objectId }),
  sync: z.strictObject({
    since: z
      .string()
      .max(64)
      .regex(/^\d{1,15}_([a-f0-9]{24})?$/)
      .optional(),
  }),
};

export function registerChatHandlers(socket: AppSocket): void {
  const me = () => socket.data.user.sub;

  const on = (event: string, handler: (payload: unknown) => Promise<unknown>) => onEvent(socket, event, handler);

  on('chat:send', async (p) => (await sendMessage(me(), parsePayload(chatSchemas.send, p))).message);
  on('chat:typing', async (p) => {
    const { conversationId, isTyping } = parsePayload(chatSchemas.typing, p);
    return setTyping(me(), conversationId, isTyping);
  });
  on('chat:read', async (p) => {
    const { conversationId, upToMessageId } = parsePayload(chatSchemas.read, p);
    return markRead(me(), conversationId, upToMessageId);
  });
  on('chat:react', async (p) => {
    const { messageId, emoji: e } = parsePayload(chatSchemas.react, p);
    return toggleReaction(me(), messageId, e);
  });
  on('chat:edit', async (p) => {
    const { messageId, text } = parsePayload(chatSchemas.edit, p);
    return editMessage(me(), messageId, text);
  });
  on('chat:delete', async (p) => {
    const { messageId } = parsePayload(chatSchemas.delete, p);
    await deleteMessage(me(), messageId);
    return { id: messageId };
  });
  on('chat:sync', async (p) => syncMessages(me(), parsePayload(chatSchemas.sync, p).since));
}
