import { z } from 'zod';
import type { Matchmaker } from '../services/match/matchmaker.js';
import { normaliseTag } from '../utils/text.js';
import { objectIdSchema, onEvent, parsePayload } from './payload.js';
import type { AppSocket } from './socket.types.js';

export const matchSchemas = {
  join: z.strictObject({
    mode: z.enum(['chat', 'video']),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
      .transform((c) => c.toUpperCase())
      .optional(),
    interests: z
      .array(z.string().min(1).max(60))
      .max(10)
      .transform((list) => [...new Set(list.map(normaliseTag).filter(Boolean))])
      .optional(),
    preference: z.enum(['dating', 'friendship']).optional(),
  }),
  respond: z.strictObject({ matchId: objectIdSchema, accept: z.boolean() }),
};

export function registerMatchHandlers(socket: AppSocket, matchmaker: Matchmaker): void {
  const me = () => socket.data.user.sub;
  const on = (event: string, handler: (payload: unknown) => Promise<unknown>) => onEvent(socket, event, handler);

  on('match:join', async (p) => matchmaker.join(me(), parsePayload(matchSchemas.join, p)));
  on('match:leave', async () => ({ left: await matchmaker.leave(me()) }));
  on('match:respond', async (p) => {
    const { matchId, accept } = parsePayload(matchSchemas.respond, p);
    return matchmaker.respond(me(), matchId, accept);
  });
}
