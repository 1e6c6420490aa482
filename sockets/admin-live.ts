import { liveSnapshot } from '../services/analytics/live-snapshot.js';
import { adminsAmong } from '../services/people/admin-users.service.js';
import type { LiveParts } from '../parts.js';
import { errorMessage, logger } from '../utils/logger.js';
import { repeatWithoutOverlap } from '../utils/repeat.js';
import type { AppServer, AppSocket } from './socket.types.js';

/** This process's admin sockets (a local room: each process tells its own). */
const ADMINS_ROOM = 'admins';

/** Admins only: the token says so at connect, and every tick asks the database again. */
async function stillAdmins(io: AppServer): Promise<void> {
  const sockets = await io.local.in(ADMINS_ROOM).fetchSockets();
  const admins = await adminsAmong([...new Set(sockets.map((s) => s.data.user.sub))]);
  for (const s of sockets) if (!admins.has(s.data.user.sub)) s.leave(ADMINS_ROOM);
}

/**
 * Admins' sockets receive `admin:live` on connecting and every `intervalMs`. Each process
 * tells the admins connected to it, from the same shared figures, so one emitter is never
 * needed and a process without admins does nothing.
 */
export function startAdminLive(io: AppServer, parts: LiveParts, intervalMs: number) {
  const anyAdmin = () => Boolean(io.of('/').adapter.rooms.get(ADMINS_ROOM)?.size);
  const tick = async () => {
    if (!anyAdmin()) return;
    await stillAdmins(io);
    if (anyAdmin()) io.local.to(ADMINS_ROOM).emit('admin:live', await liveSnapshot(parts));
  };
  const stop = repeatWithoutOverlap(intervalMs, 'admin live counters', tick);
  return {
    /** A new socket: an admin's joins the room and hears the figures at once. */
    joined(socket: AppSocket) {
      if (socket.data.user.role !== 'admin') return;
      void socket.join(ADMINS_ROOM);
      liveSnapshot(parts)
        .then((snapshot) => socket.emit('admin:live', snapshot))
        .catch((err: unknown) => logger.warn('admin live counters failed', { error: errorMessage(err) }));
    },
    stop,
  };
}
