import { pairKeyOf } from '../../models/connection.model.js';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { config } from '../../config/index.js';
import { rejectionCoolDownUntil, separatedPairs } from './match.service.js';
import type { QueueStore } from './queue.store.js';

/** How long a block or a report keeps two apart in the queue (tickets taken after it hide a block themselves). */
export const SEPARATED_MS = 24 * 3600_000;

/**
 * What the queue must hold about a pair: kept apart until a time (ms since the epoch), or not
 * at all. `separated` and `reunited` follow the database (blocks and reports), `cool-down` a
 * rejected match.
 */
interface PairRule {
  a: string;
  b: string;
  kind: 'separated' | 'reunited' | 'cool-down';
  apartUntil?: number;
}

const RULES_AT_ONCE = 100;
// Tried again after 1 s, doubling up to 30 s, for about two hours of Redis away in all.
const RETRY = { delayMs: 1000, maxDelayMs: 30_000, attempts: 250 };

/**
 * Writes the queue's pair rules (a block's or a report's day apart, a rejection's cool-down,
 * an unblock's end of them) with the word that asked for them: the database holds the block,
 * and a Redis away or stalled must neither hold that request up for long nor fail it. Each
 * pair's latest rule wins, one batch at a time, so in this process an unblock never lands
 * before the block it lifts; one that fails is tried again until Redis answers (a newer rule
 * for its pair taking its place), and a block's or an unblock's rule writes what the database
 * says when it is written (another process may have said the opposite meanwhile). The queue's avoid sets
 * are a fast filter: a match is checked against the database before it is offered
 * (separatedPairs), so a rule still waiting here never lets a blocked pair meet.
 */
export class PairRules {
  private readonly writes: LatestPerKeyBatches<PairRule>;
  /** Rules asked for and not yet written, so a shorter time apart never replaces a longer one. */
  private readonly unwritten = new Map<string, PairRule>();

  constructor(private readonly store: QueueStore) {
    this.writes = new LatestPerKeyBatches<PairRule>(
      RULES_AT_ONCE,
      async (batch, _signal, retried) => {
        const failed: string[] = [];
        await Promise.all(
          [...batch].map(async ([key, rule]) => {
            try {
              await this.write(await this.asTheDatabaseSays(rule));
              if (this.unwritten.get(key) === rule) this.unwritten.delete(key);
            } catch (err) {
              failed.push(key);
              // One line per rule, not per try.
              if (!retried(key)) logger.warn('a pair rule waits for the match queue', { error: errorMessage(err) });
            }
          }),
        );
        return failed;
      },
      (err, batch) => {
        for (const [key, rule] of batch) if (this.unwritten.get(key) === rule) this.unwritten.delete(key);
        logger.error('pair rules not written to the match queue', { error: errorMessage(err), pairs: batch.size });
      },
      RETRY,
    );
  }

  /** A block or a report between the two: a day apart. */
  separate(a: string, b: string): Promise<void> {
    return this.keepApart(a, b, Date.now() + SEPARATED_MS);
  }

  /** What the database says keeps the two apart, until when (separatedPairs). */
  keepApart(a: string, b: string, until: number): Promise<void> {
    return this.set({ a, b, kind: 'separated', apartUntil: until });
  }

  /** The last block between them lifted: nothing keeps them apart. */
  reunite(a: string, b: string): Promise<void> {
    return this.set({ a, b, kind: 'reunited' });
  }

  /** One turned the other down: apart for `ms`. */
  coolDown(a: string, b: string, ms: number): Promise<void> {
    return this.set({ a, b, kind: 'cool-down', apartUntil: Date.now() + ms });
  }

  /**
   * Resolves once the rule was tried (written, or left to its retries). Of two times apart not
   * yet written, the longer one stands, with its kind (a block's retry asks the database again).
   */
  private async set(rule: PairRule): Promise<void> {
    const key = pairKeyOf(rule.a, rule.b);
    const before = this.unwritten.get(key);
    const longer =
      rule.apartUntil !== undefined && before?.apartUntil !== undefined && before.apartUntil > rule.apartUntil ? before : rule;
    this.unwritten.set(key, longer);
    await this.writes.submit(key, longer);
  }

  /**
   * A block's or an unblock's rule as the database has it when written (another process may
   * have heard the opposite word since): apart until the latest of a block's day, a report's
   * and a rejection's cool-down, or not at all. An unblock leaves a standing report's day and
   * a cool-down: lifting a block made for the purpose, or one never made, must not let someone
   * turned down be offered again at once. A cool-down as asked.
   */
  private async asTheDatabaseSays(rule: PairRule): Promise<PairRule> {
    if (rule.kind === 'cool-down') return rule;
    const { a, b } = rule;
    const { coolDownMs, responseMs } = config.match;
    const [separated, coolingDown] = await Promise.all([
      separatedPairs([[a, b]], SEPARATED_MS),
      rejectionCoolDownUntil(a, b, coolDownMs, responseMs),
    ]);
    const until = Math.max(separated.get(pairKeyOf(a, b)) ?? 0, coolingDown);
    return until ? { a, b, kind: 'separated', apartUntil: until } : { a, b, kind: 'reunited' };
  }

  /** The database's word replaces what the queue held for the pair (an unblock shortens a block's day). */
  private write({ a, b, kind, apartUntil }: PairRule): Promise<void> {
    if (apartUntil === undefined) return this.store.forgive(a, b);
    return this.store.avoid(a, b, apartUntil, { replace: kind !== 'cool-down' });
  }
}
