import { pairKeyOf } from '../../models/connection.model.js';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';
import { errorMessage, logger } from '../../utils/logger.js';
import type { QueueStore } from './queue.store.js';

/** What the queue must hold about a pair: kept apart until a time (ms since the epoch), or not at all. */
export interface PairRule {
  a: string;
  b: string;
  apartUntil?: number;
}

const RULES_AT_ONCE = 100;
// Tried again after 1 s, doubling up to 30 s, for about two hours of Redis away in all.
const RETRY = { delayMs: 1000, maxDelayMs: 30_000, attempts: 250 };

/**
 * Writes the queue's pair rules (a block's or a report's day apart, a rejection's cool-down,
 * an unblock's end of them) with the word that asked for them: the database holds the block,
 * and a Redis away or stalled must neither hold that request up nor fail it. Each pair's latest
 * rule wins, one batch at a time, so an unblock never lands before the block it lifts; one that
 * fails is tried again until Redis answers (a newer rule for its pair taking its place).
 */
export class PairRules {
  private readonly writes: LatestPerKeyBatches<PairRule>;

  constructor(private readonly store: QueueStore) {
    this.writes = new LatestPerKeyBatches<PairRule>(
      RULES_AT_ONCE,
      async (batch, _signal, retried) => {
        const failed: string[] = [];
        await Promise.all(
          [...batch].map(async ([key, rule]) => {
            try {
              await this.write(rule);
            } catch (err) {
              failed.push(key);
              // One line per rule, not per try.
              if (!retried(key)) logger.warn('a pair rule waits for the match queue', { error: errorMessage(err) });
            }
          }),
        );
        return failed;
      },
      (err, batch) => logger.error('pair rules not written to the match queue', { error: errorMessage(err), pairs: batch.size }),
      RETRY,
    );
  }

  private write({ a, b, apartUntil }: PairRule): Promise<void> {
    return apartUntil === undefined ? this.store.forgive(a, b) : this.store.avoid(a, b, apartUntil);
  }

  /** Resolves once the rule was tried (written, or left to its retries). */
  async set(rule: PairRule): Promise<void> {
    this.writes.push(pairKeyOf(rule.a, rule.b), rule);
    await this.writes.drained();
  }
}
