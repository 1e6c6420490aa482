/**
 * Each user's socket ids in this process. Most people have one socket, kept as its id alone:
 * a Set per user cost about 150 bytes more for each idle socket (S6). A Set from the second on.
 */
export class SocketsByUser {
  private readonly byUser = new Map<string, string | Set<string>>();

  /** Returns how many the user has now. */
  add(userId: string, socketId: string): number {
    const held = this.byUser.get(userId);
    if (held === undefined || held === socketId) {
      this.byUser.set(userId, socketId);
      return 1;
    }
    if (typeof held === 'string') {
      this.byUser.set(userId, new Set([held, socketId]));
      return 2;
    }
    return held.add(socketId).size;
  }

  /** Returns how many the user has left. */
  remove(userId: string, socketId: string): number {
    const held = this.byUser.get(userId);
    if (held === undefined) return 0;
    if (typeof held === 'string') {
      if (held !== socketId) return 1;
      this.byUser.delete(userId);
      return 0;
    }
    held.delete(socketId);
    if (held.size === 1) this.byUser.set(userId, held.values().next().value!);
    return held.size;
  }

  count(userId: string): number {
    const held = this.byUser.get(userId);
    return held === undefined ? 0 : typeof held === 'string' ? 1 : held.size;
  }

  ids(userId: string): string[] {
    const held = this.byUser.get(userId);
    return held === undefined ? [] : typeof held === 'string' ? [held] : [...held];
  }

  users(): IterableIterator<string> {
    return this.byUser.keys();
  }

  /** How many users have a socket here. */
  get size(): number {
    return this.byUser.size;
  }
}
