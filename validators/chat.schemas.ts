import { z } from 'zod';

/**
 * Chat actions taken both over HTTP and over the socket, each defined once: the REST routes
 * check these fields through express-validator (zodBody), the socket events
 * (sockets/socket.events.ts) through zod, and both hand the service the same parsed type.
 */

/** An id as the server hands them out (24 lowercase hex), named in the refusal. */
export const objectId = (what = 'an id') => z.string({ error: 'must be a string' }).regex(/^[a-f0-9]{24}$/, `must be ${what}`);
const messageText = z.string({ error: 'must be a string' }).max(20_000, 'must be at most 20000 characters');

/** Sending a message: POST /conversations/:id/messages and chat:send. */
export const sendFields = {
  clientMessageId: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 of A-Z a-z 0-9 _ -'),
  text: messageText.optional(),
  attachmentId: objectId('an attachment id').optional(),
  replyToId: objectId('a message id').optional(),
};

/** Editing one's message: PATCH /conversations/:id/messages/:messageId and chat:edit. */
export const editFields = { text: messageText.min(1, 'must not be empty') };

/** Marking a conversation read up to a message: POST /conversations/:id/read and chat:read. */
export const readFields = { upToMessageId: objectId('a message id') };

export type SendFields = z.output<z.ZodObject<typeof sendFields>>;
export type EditFields = z.output<z.ZodObject<typeof editFields>>;
export type ReadFields = z.output<z.ZodObject<typeof readFields>>;
