import { randomUUID } from 'node:crypto';
import { errorMessage, logger } from '../../utils/logger.js';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';
import { PresenceUnavailableError } from '../presence/presence.store.js';
import { CLAIM_MARK_MS, QueueUnavailableError, type MatchMode, type QueueStore, type Ticket } from './queue.store.js';

const WITHDRAWALS_AT_ONCE = 100;
// A failed join's withdrawal, tried again from 1 s doubling to 30 s, about ten minutes in all.
const WITHDRAWAL_RETRY = { delayMs: 1000, maxDelayMs: 30_000, attempts: 25 };

/** A ticket owed back to the queue, since when. */
interface Owed {
  ticket: Ticket;
  owedAt: number;
}
// How long a ticket stays owed: a queue away longer than this has lost those people's
// attention; and it must end before the claim marks (and seats) that decide a put-back lapse.
const OWED_AT_MOST_MS = CLAIM_MARK_MS - 5 * 60_000;

/** Who has a live socket anywhere: the presence store of the socket servers (PresenceUnavailableError when it cannot tell). */
export interface Liveness {
  count(userId: string): Promise<number>;
}

/**
 * The match queue as the matchmaker uses it through lost answers: what a step that failed,
 * or whose answer was lost, may have taken out of the queue is owed back and put back before
 * the next round; joins told they failed are withdrawn once Redis answers; presence is asked
 * after every write that puts someone back.
 */
export class QueueKeeper {
  /** Tickets of joins told they failed, taken out of the queue once Redis answers. */
  private readonly withdrawals = new LatestPerKeyBatches<Ticket>(
    WITHDRAWALS_AT_ONCE,
    async (batch) => {
      const failed: string[] = [];
      await Promise.all([...batch].map(([key, ticket]) => this.store.withdraw(ticket).catch(() => void failed.push(key))));
      return failed;
    },
    (err, batch) =>
      logger.warn('failed joins not withdrawn from the match queue', { error: errorMessage(err), tickets: batch.size }),
    WITHDRAWAL_RETRY,
  );
  /**
   * Tickets taken out of the queue that must go back but could not (the queue away, or a
   * claim or a taking of cards whose answer was lost, so whether it ran is unknown): the
   * latest per user, put back before each round. A put-back leaves a ticket still queued,
   * or one whose user left or joined again since, as it is; one owed for a lost claim goes
   * back only if that claim took it. The user's own word (a join, a leave, going away)
   * drops what is owed them, and so does time (OWED_AT_MOST_MS).
   */
  private readonly owedBack = new Map<string, Owed>();

  constructor(
    readonly store: QueueStore,
    private readonly liveness: Liveness,
  ) {}

  /** The user's own word (a join, a leave, going away): nothing is owed them any more. */
  forget(userId: string): void {
    this.owedBack.delete(userId);
  }

  /** A join told it failed: its ticket is taken out once the queue answers (the user's latest only). */
  withdrawLater(userId: string, ticket: Ticket): void {
    this.withdrawals.push(userId, ticket);
  }

  /**
   * Unknown while the presence store is away or in doubt: taken as live. A match offered to
   * someone gone ends at its response timer (the other goes back), and a ticket of someone
   * gone leaves with them once presence can tell; refusing instead would fail every join and
   * strand every match stored meanwhile.
   */
  async isLive(userId: string): Promise<boolean> {
    try {
      return (await this.liveness.count(userId)) > 0;
    } catch (err) {
      if (err instanceof PresenceUnavailableError) return true;
      throw err;
    }
  }

  /** Takes a ticket just put in the queue out again if its owner has no socket left; false then. */
  async keepIfLive(ticket: Ticket): Promise<boolean> {
    if (await this.isLive(ticket.userId)) return true;
    await this.store.remove(ticket.userId);
    return false;
  }

  /**
   * A ticket out for a while going back to the queue (unless its user left or joined again
   * meanwhile), if its owner is live; one a claim took, only through that claim (a put-back
   * whose answer was lost, retried after another process claimed the ticket again, must not
   * return it). Owed until the queue answers, counted from `owedAt`.
   */
  async putBack(ticket: Ticket, owedAt = Date.now()): Promise<boolean> {
    let back: boolean;
    try {
      back = await (ticket.claimId ? this.store.putBackClaimed(ticket, ticket.claimId) : this.store.putBack(ticket));
    } catch (err) {
      if (err instanceof QueueUnavailableError) this.owe([ticket], owedAt);
      throw err;
    }
    return back && this.keepIfLive(ticket);
  }

  private owe(tickets: Ticket[], owedAt = Date.now()): void {
    for (const ticket of tickets) {
      const owed = this.owedBack.get(ticket.userId);
      if (!owed || owed.ticket.joinedAt <= ticket.joinedAt) this.owedBack.set(ticket.userId, { ticket, owedAt });
    }
  }

  /** Puts back what is owed, one by one; the first that fails (the queue still away) ends the round. */
  async settleOwed(): Promise<void> {
    if (!this.owedBack.size) return;
    const now = Date.now();
    for (const [userId, { ticket, owedAt }] of [...this.owedBack]) {
      this.owedBack.delete(userId);
      if (now - owedAt > OWED_AT_MOST_MS) continue;
      await this.putBack(ticket, owedAt);
    }
  }

  /**
   * The round's claim; each ticket it took carries its id from then on. If its answer is lost
   * (it may run yet: a stalled Redis runs what it was sent, in order), every ticket it may take
   * is owed back through it: the put-back, sent after it, returns only what it took.
   */
  async claim(mode: MatchMode, pairs: [Ticket, Ticket][], now: number) {
    const claimId = randomUUID();
    let results;
    try {
      results = await this.store.claimPairs(
        mode,
        pairs.map(([a, b]) => [a.userId, b.userId]),
        now,
        claimId,
      );
    } catch (err) {
      if (err instanceof QueueUnavailableError && err.maybeSent) this.owe(pairs.flat().map((t) => ({ ...t, claimId })));
      throw err;
    }
    pairs.forEach(([a, b], i) => {
      if (results[i] === 'claimed') a.claimId = b.claimId = claimId;
    });
    return results;
  }

  /** The claimed tickets' cards. Failing, the tickets (out of the queue, claimed) are owed back; a card lost is made again then. */
  async takeCards(tickets: Ticket[]) {
    try {
      return await this.store.takeCards(tickets.map((t) => t.userId));
    } catch (err) {
      this.owe(tickets);
      throw err;
    }
  }
}
