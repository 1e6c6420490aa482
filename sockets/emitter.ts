import { Emitter } from '@socket.io/redis-emitter';
import type { RedisClient } from '../services/redis.service.js';
import { registerRealtimeSink } from '../services/realtime.service.js';
import { userRoom } from './rooms.js';

/**
 * For processes with no Socket.IO server of their own (the media worker): services'
 * events are published through Redis to the servers' adapter, which delivers them to the
 * users' sockets wherever they are connected.
 */
export function registerEmitterSink(redis: RedisClient): () => void {
  const io = new Emitter(redis);
  return registerRealtimeSink({
    toUsers: (userIds, event, payload) => void io.to(userIds.map(userRoom)).emit(event, payload),
  });
}
