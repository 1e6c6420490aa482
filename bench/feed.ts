/**
 * npm run bench:feed: S8, the For You page against reading a precomputed feed of the same
 * length, in one process against one database (docs/benchmarks.md keeps a run).
 *
 * Seeds 10,000 users (interests skewed to popular hashtags, engagement affinities, some
 * feed settings and "not interested" marks) and 100,000 posts over 14 days (more of them
 * recent, 1 to 3 hashtags from 300 with a Zipf skew, heavy-tailed engagement). Then, with
 * BENCH_WORKERS concurrent viewers for BENCH_SECONDS per phase, alternates:
 *   baseline  the viewer's precomputed list of 20 post ids, then those 20 posts by id
 *   For You   a first page of 20 (a new session: candidates, ranking, the session write)
 * and reports requests/s, p50 and p99 of both and the throughput ratio (aim >= 0.5).
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { benchDatabase, tableHeader } from './harness.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const workers = Number(process.env.BENCH_WORKERS ?? 8);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const POSTS = Number(process.env.BENCH_POSTS ?? 100_000);
const TAGS = 300;
const DAYS = 14;
const PAGE = 20;

const db = await benchDatabase();
process.env.LOG_LEVEL = 'warn';
const { connectDatabase } = await import('../services/database.service.js');
const { forYou } = await import('../services/feeds/for-you.service.js');
const { CANDIDATE_FIELDS, clearCandidateCaches } = await import('../services/feeds/candidates.js');
const { postView } = await import('../services/posts/post.view.js');
const { Post } = await import('../models/post.model.js');
const { ObjectId } = mongoose.Types;

/** A deterministic generator, so runs seed the same world. */
let seed = 42;
// mulberry32: 32-bit integer steps, so the sequence never degrades as float arithmetic would.
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const zipf = (n: number, s = 1.1) => {
  // Inverse-CDF on a precomputed table.
  const u = random() * zipfTotal;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (zipfCdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo + 0 * s;
};
const zipfCdf: number[] = [];
let zipfTotal = 0;
for (let i = 1; i <= TAGS; i++) zipfCdf.push((zipfTotal += 1 / Math.pow(i, 1.1)));
const tag = (i: number) => `tag${i}`;
const pickTags = (count: number) => [...new Set(Array.from({ length: count }, () => tag(zipf(TAGS))))];
const lognormal = (mu: number, sigma: number) =>
  Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random()));
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** An id whose time part is `at`, so newest-first by _id is newest-first by time. */
const idAt = (at: number) =>
  new ObjectId(
    Math.floor(at / 1000)
      .toString(16)
      .padStart(8, '0') + randomBytes(8).toString('hex'),
  );
/**
 * Raw inserts of seeded documents (string keys where the models use them), 500 at a time.
 * A batch retried after a dropped connection may find some of itself stored: those
 * duplicates are fine.
 */
async function insert(name: string, docs: object[]) {
  for (let i = 0; i < docs.length; i += 500) {
    await mongoose.connection
      .db!.collection(name)
      .insertMany(docs.slice(i, i + 500) as never[], { ordered: false })
      .catch((err: { code?: number; writeErrors?: { code?: number }[] }) => {
        const duplicatesOnly = err.code === 11000 || err.writeErrors?.every((e) => e.code === 11000);
        if (!duplicatesOnly) throw err;
      });
  }
}

async function seedWorld() {
  const now = Date.now();
  const userIds = Array.from({ length: USERS }, () => new ObjectId());
  const users = userIds.map((_id, i) => ({
    _id,
    firstName: 'Bench',
    lastName: `User${i}`,
    username: `bench_${i}`,
    email: `bench${i}@example.com`,
    interests: pickTags(3 + Math.floor(random() * 4)),
    role: 'user',
  }));
  for (let i = 0; i < users.length; i += 2000) await insert('users', users.slice(i, i + 2000));

  const postIds: mongoose.Types.ObjectId[] = [];
  const batch = [];
  for (let i = 0; i < POSTS; i++) {
    // More posts lately: the age in days is skewed towards 0.
    const ageMs = Math.pow(random(), 2) * DAYS * 86_400_000;
    const at = now - ageMs;
    const _id = idAt(at);
    postIds.push(_id);
    const hashtags = pickTags(1 + Math.floor(random() * 3));
    const views = Math.floor(lognormal(3, 1.4));
    const readyDay = day(at);
    batch.push({
      _id,
      authorId: userIds[Math.floor(random() * USERS)],
      caption: `post ${i} ${hashtags.map((t) => `#${t}`).join(' ')}`,
      hashtags,
      mentions: [],
      kind: 'images',
      images: [
        {
          urls: { thumb: 'https://cdn.test/t.webp', card: 'https://cdn.test/c.webp', full: 'https://cdn.test/f.webp' },
          width: 1080,
          height: 1080,
        },
      ],
      storage: 's3',
      visibility: random() < 0.9 ? 'public' : 'connections',
      sensitive: random() < 0.02,
      status: 'ready',
      readyAt: new Date(at),
      createdAt: new Date(at),
      readyDay,
      readyHour: new Date(at).toISOString().slice(0, 13),
      tagDays: hashtags.map((t) => `${t}|${readyDay}`),
      counters: {
        views,
        likes: Math.floor(views * random() * 0.2),
        comments: Math.floor(views * random() * 0.03),
        shares: Math.floor(views * random() * 0.01),
        bookmarks: Math.floor(views * random() * 0.02),
      },
    });
    if (batch.length === 2000) await insert('posts', batch.splice(0));
  }
  if (batch.length) await insert('posts', batch.splice(0));

  // Interaction history: 10 authors and 5 hashtags per user; a tenth with settings and marks.
  const affinities = [];
  const precomputed = [];
  const settings = [];
  const marks = [];
  for (const [i, userId] of userIds.entries()) {
    for (let k = 0; k < 10; k++) {
      const authorId = String(userIds[Math.floor(random() * USERS)]);
      affinities.push({
        _id: `${userId}|author|${authorId}`,
        userId,
        kind: 'author',
        key: authorId,
        score: Math.ceil(lognormal(1, 1)),
      });
    }
    for (const t of pickTags(5))
      affinities.push({ _id: `${userId}|tag|${t}`, userId, kind: 'tag', key: t, score: Math.ceil(lognormal(1.5, 1)) });
    precomputed.push({ _id: userId, items: Array.from({ length: PAGE }, () => postIds[Math.floor(random() * POSTS)]) });
    if (i % 10 === 0) {
      settings.push({
        _id: userId,
        mutedTags: pickTags(2),
        mutedAuthors: [],
        preferredTopics: pickTags(2),
        sensitiveFilter: true,
      });
      for (let k = 0; k < 5; k++) {
        const postId = postIds[Math.floor(random() * POSTS)]!;
        marks.push({ _id: `${userId}:${postId}`, userId, postId, authorId: userIds[0], hashtags: pickTags(1) });
      }
    }
    if (affinities.length >= 5000) await insert('affinities', affinities.splice(0));
  }
  if (affinities.length) await insert('affinities', affinities.splice(0));
  for (let i = 0; i < precomputed.length; i += 2000) await insert('precomputed_feeds', precomputed.slice(i, i + 2000));
  await insert('feedsettings', settings);
  await insert('notinteresteds', marks);
  return userIds;
}

/** The baseline: what serving an already-ranked feed costs (the list, then its posts by id, rendered alike). */
async function precomputedPage(userId: mongoose.Types.ObjectId) {
  const list = await mongoose.connection
    .db!.collection<{ _id: mongoose.Types.ObjectId; items: mongoose.Types.ObjectId[] }>('precomputed_feeds')
    .findOne({ _id: userId });
  const posts = await Promise.all((list?.items ?? []).map((id) => Post.findById(id, CANDIDATE_FIELDS).lean()));
  return posts.filter(Boolean).map((p) => postView(p as Parameters<typeof postView>[0]));
}

interface Phase {
  rps: number;
  p50: number;
  p99: number;
  items: number;
}

async function phase(users: mongoose.Types.ObjectId[], op: (u: mongoose.Types.ObjectId) => Promise<number>): Promise<Phase> {
  const latencies: number[] = [];
  let items = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        const user = users[Math.floor(Math.random() * users.length)]!;
        const start = process.hrtime.bigint();
        const served = await op(user);
        items += served;
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), items: items / latencies.length };
}

const mean = (a: Phase, b: Phase): Phase => ({
  rps: (a.rps + b.rps) / 2,
  p50: (a.p50 + b.p50) / 2,
  p99: Math.max(a.p99, b.p99),
  items: (a.items + b.items) / 2,
});

try {
  await connectDatabase({ uri: db.uri, serverSelectionTimeoutMs: 5000 });
  await Promise.all(Object.values(mongoose.models).map((m) => m.createIndexes()));
  let t = Date.now();
  const users = await seedWorld();
  const stored = await Post.estimatedDocumentCount();
  console.error(`seeded ${USERS} users and ${stored} posts in ${((Date.now() - t) / 1000).toFixed(0)} s`);

  clearCandidateCaches();
  t = Date.now();
  const cold = await forYou(String(users[0]), { limit: PAGE });
  const coldMs = Date.now() - t;
  const baselineOp = async (u: mongoose.Types.ObjectId) => (await precomputedPage(u)).length;
  const forYouOp = async (u: mongoose.Types.ObjectId) => (await forYou(String(u), { limit: PAGE })).items.length;
  // Warm both paths, then alternate so drift over the run hits both alike.
  await phase(users, baselineOp);
  const b1 = await phase(users, baselineOp);
  const f1 = await phase(users, forYouOp);
  const b2 = await phase(users, baselineOp);
  const f2 = await phase(users, forYouOp);
  const base = mean(b1, b2);
  const ours = mean(f1, f2);

  console.log(`\nS8: ${USERS} users, ${POSTS} posts over ${DAYS} days, ${workers} concurrent viewers, ${seconds} s a phase`);
  console.log(`first For You page on cold caches: ${coldMs} ms (${cold.items.length} items)\n`);
  console.log(tableHeader);
  console.log(
    `| S8 For You page of ${PAGE} / precomputed list, requests/s | ${ours.rps.toFixed(0)} | ${base.rps.toFixed(0)} | ${(ours.rps / base.rps).toFixed(2)} | >= 0.5 |`,
  );
  console.log(
    `| S8 For You page of ${PAGE} / precomputed list, p50 | ${ours.p50.toFixed(1)} ms | ${base.p50.toFixed(1)} ms | ${(ours.p50 / base.p50).toFixed(2)} | |`,
  );
  console.log(
    `| S8 For You page of ${PAGE} / precomputed list, p99 | ${ours.p99.toFixed(1)} ms | ${base.p99.toFixed(1)} ms | ${(ours.p99 / base.p99).toFixed(2)} | |`,
  );
  console.log(`| S8 items per page | ${ours.items.toFixed(1)} | ${base.items.toFixed(1)} | | 20 |`);
} finally {
  await mongoose.disconnect();
  await db.stop();
}
