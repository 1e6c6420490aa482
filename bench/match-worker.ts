/**
 * One matchmaking process of the S7 benchmark (bench/match.ts forks it): a real Matchmaker
 * (ranked, or the naive FIFO one below) on a memory or Redis queue, joining the users it is
 * given and noting when each one's match:found is published. Orders come over IPC.
 */
import { performance } from 'node:perf_hooks';
import { connectDatabase } from '../services/database.service.js';
import { Matchmaker } from '../services/match/matchmaker.js';
import { compatible, RELAX_STEPS } from '../services/match/matching.js';
import { MemoryQueueStore, RedisQueueStore, type Ticket } from '../services/match/queue.store.js';
import { registerRealtimeSink } from '../services/realtime.service.js';
import { connectRedis } from '../services/redis.service.js';
import type { JoinOrder, WorkerReport } from './match-plan.js';

/** When each user's pair could first have been made: both waiting and, for the ranked matcher, fitting. */
const readyAt = new Map<string, number>();

function noteReady(pairs: [Ticket, Ticket][], fitting: boolean) {
  for (const [a, b] of pairs) {
    const both = Math.max(a.joinedAt, b.joinedAt);
    const moments = [both, ...[a, b].flatMap((t) => RELAX_STEPS.map((step) => t.joinedAt + step))].filter((t) => t >= both);
    const at = fitting ? (moments.sort((x, y) => x - y).find((t) => compatible(a, b, t)) ?? both) : both;
    readyAt.set(a.userId, at).set(b.userId, at);
  }
}

/** The ranked matcher as the server runs it, noting when each pair it makes had become possible. */
class RankedMatchmaker extends Matchmaker {
  protected override async found(pairs: [Ticket, Ticket][]): Promise<void> {
    noteReady(pairs, true);
    await super.found(pairs);
  }
}

/** The naive random-chat matcher: the two longest waiting of a mode, whoever they are. */
class FifoMatchmaker extends Matchmaker {
  protected override plan(tickets: Ticket[]): [Ticket, Ticket][] {
    tickets.sort((x, y) => x.joinedAt - y.joinedAt);
    const pairs: [Ticket, Ticket][] = [];
    for (let i = 0; i + 1 < tickets.length; i += 2) pairs.push([tickets[i]!, tickets[i + 1]!]);
    return pairs;
  }
  protected override async found(pairs: [Ticket, Ticket][]): Promise<void> {
    noteReady(pairs, false);
    await super.found(pairs);
  }
}

const now = () => performance.timeOrigin + performance.now();
const found = new Map<string, [number, string, number]>();
registerRealtimeSink({
  toUsers: (userIds, event, payload) => {
    if (event !== 'match:found') return;
    const at = now();
    const partner = (payload as { partner: { id: string } }).partner.id;
    for (const id of userIds) if (!found.has(id)) found.set(id, [at, partner, readyAt.get(id) ?? at]);
  },
});

await connectDatabase({ uri: process.env.MONGODB_URI!, serverSelectionTimeoutMs: 10_000 });
// The simulated people are all connected: the bench measures matching, not presence.
const everyoneOnline = { count: () => Promise.resolve(1) };

let matchmaker: Matchmaker | undefined;

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}

process.on('message', (order: JoinOrder | { go: true } | { report: true }) => {
  void (async () => {
    if ('report' in order) {
      matchmaker?.stop();
      const report: WorkerReport = { found: [...found] };
      // Exit once sent (a CPU profile, when asked for, is written on exit).
      process.send!(report, () => process.exit(0));
      return;
    }
    if ('go' in order) {
      matchmaker!.start();
      void matchmaker!.round();
      return;
    }
    const store =
      order.store === 'redis'
        ? new RedisQueueStore(await connectRedis(process.env.REDIS_URL!), order.prefix)
        : new MemoryQueueStore();
    matchmaker =
      order.matcher === 'naive' ? new FifoMatchmaker(store, everyoneOnline) : new RankedMatchmaker(store, everyoneOnline);
    if (order.scenario === 'drain') {
      // Everyone waiting before the first round: tickets built as join builds them.
      await inParallel(order.joins, 32, async (j) => store.put(await matchmaker!.ticketFor(j.userId, j.input)));
      process.send!({ ready: true });
      return;
    }
    // A stream: each join at its planned time (open loop), timed from the call.
    matchmaker.start();
    const joinedAt: [string, number][] = [];
    const start = order.startAt;
    await Promise.all(
      order.joins.map(async (j, i) => {
        const due = start + (i * 1000) / order.perSecond - now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
        joinedAt.push([j.userId, now()]);
        await matchmaker!.join(j.userId, j.input);
      }),
    );
    process.send!({ joined: joinedAt });
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
process.send!({ up: true });
