import { Types } from 'mongoose';
import { Connection } from '../../models/connection.model.js';
import { User } from '../../models/user.model.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { hiddenUserIds } from '../people/block.service.js';
import { publishToUsers } from '../realtime.service.js';
import { PresenceUnavailableError, type PresenceStore } from './presence.store.js';

const ANNOUNCED_AT_ONCE = 16;

/**
 * Who hears about a user's presence: their connections, not everyone, and never anyone
 * blocked either way (a block leaves the connection record, not the right to see).
 * (Direct conversation partners are connections: chatting needs an accepted connection.)
 */
export function audienceOf(userId: string): Promise<string[]> {
  return audienceAmong(userId);
}

/** audienceOf, given the user's connections when the caller has read them already. */
async function audienceAmong(userId: string, connected?: Types.ObjectId[]): Promise<string[]> {
  const [members, hidden] = await Promise.all([connected ?? connectedIds(userId), hiddenUserIds(userId)]);
  const ids = new Set(members.map(String));
  ids.delete(userId);
  for (const id of hidden) ids.delete(String(id));
  return [...ids];
}

/** The members of the user's accepted connections: the user among them, once per connection. */
async function connectedIds(userId: string): Promise<Types.ObjectId[]> {
  // The driver directly, as hiddenUserIds: every first connect and last disconnect reads this.
  const connections = await Connection.collection
    .find<{ memberIds: Types.ObjectId[] }>(
      { memberIds: new Types.ObjectId(userId), status: 'accepted' },
      { projection: { _id: 0, memberIds: 1 } },
    )
    .toArray();
  return connections.flatMap((r) => r.memberIds);
}

/** Whether one of the user's connections is online to hear; a store that does not answer is taken as yes (asking only saves reads). */
async function anyoneListening(userId: string, connected: Types.ObjectId[], store: PresenceStore): Promise<boolean> {
  const others = new Set(connected.map(String));
  others.delete(userId);
  return store.anyOnline([...others]).catch((err: unknown) => {
    if (!(err instanceof PresenceUnavailableError)) logger.warn('presence listeners not known', { error: errorMessage(err) });
    return true;
  });
}

export async function hidesPresence(userId: string): Promise<boolean> {
  const user = await User.collection.findOne<{ availability?: string }>(
    { _id: new Types.ObjectId(userId) },
    { projection: { _id: 0, availability: 1 } },
  );
  return user?.availability === 'invisible';
}

export interface PresenceEvent {
  userId: string;
  online: boolean;
  lastSeenAt?: Date;
}

/** A change to tell; `arrival`: the online of a first socket just counted (not a repair's, not an offline). */
export interface Announcement {
  event: PresenceEvent;
  arrival?: boolean;
}

/**
 * Tells each user's newest change to their audience, a slice of the batch at a time. Told
 * one by one as each connect came (four reads each), a burst of connects had thousands of
 * read sets in flight together: V8 promoted their objects along with the sockets', and the
 * old space stayed fragmented after (RSS per idle socket 1.5x a bare Socket.IO server's,
 * 0.93x with no announcements at all). The reads stay equality reads on indexed fields, so
 * FerretDB serves them from its indexes too.
 */
export async function announceBatch(
  batch: Map<string, Announcement>,
  store: PresenceStore,
  lateOnline: (userId: string) => boolean,
  signal: AbortSignal,
): Promise<string[]> {
  const told = [...batch];
  const failedUsers: string[] = [];
  for (let i = 0; i < told.length && !signal.aborted; i += ANNOUNCED_AT_ONCE) {
    const slice = told.slice(i, i + ANNOUNCED_AT_ONCE);
    const results = await Promise.allSettled(slice.map(([userId, event]) => announce(userId, event, store, lateOnline)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // One line for the slice: with the database gone, one per person would be thousands.
    if (failed.length) {
      logger.error('presence announcements failed', {
        failed: failed.length,
        of: slice.length,
        error: errorMessage(failed[0]!.reason),
      });
      results.forEach((r, k) => r.status === 'rejected' && failedUsers.push(slice[k]![0]));
    }
  }
  // Told again later (unless the user changes again first): LatestPerKeyBatches' retry.
  return failedUsers;
}

async function announce(
  userId: string,
  { event, arrival }: Announcement,
  store: PresenceStore,
  /** The online is a retry (after a database blip) and the user is not in this process's grace period. */
  lateOnline: (userId: string) => boolean,
): Promise<void> {
  // Connections first: someone with none has nobody to tell, and costs one read, not four.
  const connected = await connectedIds(userId);
  if (connected.length === 0) return;
  // Nor is an arrival while none of them is online (most people in a burst of reconnects):
  // the reads of who may hear are left, and a friend who connects later reads presence as it
  // stands then (GET /presence, read once connected). Only an arrival: the store may miss
  // someone connected for a while (a stalled process swept, Redis emptied until the next
  // beats), and an offline or a repair's online missed would leave a friend wrong for good.
  if (arrival && !(await anyoneListening(userId, connected, store))) return;
  const [hides, audience] = await Promise.all([hidesPresence(userId), audienceAmong(userId, connected)]);
  if (hides || audience.length === 0) return;
  // Asked last, just before telling: an offline settled before the user came back on another
  // process is not told after that process told the online; a late online is not told once
  // the user has no socket anywhere, as another process may have told their offline already.
  // (First tries of an online are told as they come: a count read between a socket's close
  // and its grace timer, or a reconnect's store write, may read 0 for someone online.)
  const stale = event.online ? lateOnline(userId) && (await store.count(userId)) === 0 : (await store.count(userId)) > 0;
  if (stale) return;
  publishToUsers(audience, 'presence:changed', event);
}
