/**
 * npm run bench:notifications: one post liked by 1,000 people within a minute reaches its
 * author as one grouped notice; the cost of a like with its notice against the like alone
 * (the same likes of a post whose author turned like notices off), in the same run.
 * BENCH_LIKERS (default 1000) tunes it.
 */
import mongoose from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import { benchDatabase, benchTokens, report, serve, stopServers, tableHeader } from './harness.js';
import { cpuSeconds } from './load.js';
import { seedUsers, signupAt } from './seed.js';

const likers = Number(process.env.BENCH_LIKERS ?? 1000);
const db = await benchDatabase();
const tokens = benchTokens();

/** A ready public image post of `authorId`, written straight to the database. */
async function readyPost(conn: mongoose.Connection, authorId: string): Promise<string> {
  const now = new Date();
  const { insertedId } = await conn.db!.collection('posts').insertOne({
    authorId: new mongoose.Types.ObjectId(authorId),
    kind: 'image',
    status: 'ready',
    visibility: 'public',
    caption: 'bench',
    hashtags: [],
    mentions: [],
    images: [],
    objects: [],
    counters: {},
    readyAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return String(insertedId);
}

/** The like notices on the author's first page. */
async function likeNotices(url: string, authorization: string) {
  const res = await fetch(`${url}/api/v1/notifications?limit=50`, { headers: { authorization } });
  const page = (await res.json()) as { items: { type: string; actorCount: number; text: string }[] };
  return page.items.filter((n) => n.type === 'like');
}

/**
 * Every liker likes the post once, eight at a time, then `settled` (if given) waits for the
 * work that follows; the wall time and the server's CPU seconds.
 */
async function likeAll<T>(url: string, pid: number, postId: string, ids: mongoose.Types.ObjectId[], settled?: () => Promise<T>) {
  const cpu = cpuSeconds(pid);
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const id = String(ids[next++]);
        const token = tokens.sign({ sub: id, role: 'user', sid: 'bench' });
        const res = await fetch(`${url}/api/v1/posts/${postId}/like`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200) throw new Error(`like answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const result = await settled?.();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSeconds(pid) - cpu, result };
}

try {
  // Budgets off: a thousand likes from one address in seconds is the point here.
  const app = await serve(db.uri, 'appio', 4151, { LOG_LEVEL: 'warn', RATE_LIMITS: 'write:-/-@60,like:-/-@60' });
  const [loud, quiet] = [await signupAt(app.url, { firstName: 'Loud' }), await signupAt(app.url, { firstName: 'Quiet' })];
  const off = await fetch(`${app.url}/api/v1/notifications/preferences`, {
    method: 'PATCH',
    headers: { authorization: quiet.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ like: { inApp: 'off' } }),
  });
  if (off.status !== 200) throw new Error(`preferences answered ${off.status}`);
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const [loudPost, quietPost] = [await readyPost(conn, loud.id), await readyPost(conn, quiet.id)];
  const ids = await seedUsers(db.uri, likers);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(app.url, { transports: ['websocket'], reconnection: false, auth: { token: loud.authorization.slice(7) } });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
  let pushes = 0;
  socket.on('notification:new', () => pushes++);

  // The like alone first (nobody to tell), then the same likes with their notice, timed
  // until the notice counts every liker (notices are written after the like answers).
  // A warm-up first, so neither measured run pays for a cold server.
  await likeAll(app.url, app.pid, await readyPost(conn, quiet.id), ids.slice(0, 200));
  const alone = await likeAll(app.url, app.pid, quietPost, ids);
  const told = await likeAll(app.url, app.pid, loudPost, ids, async () => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const likes = await likeNotices(app.url, loud.authorization);
      if (likes.length === 1 && likes[0]!.actorCount === likers) return likes;
    }
    throw new Error(
      `the notice never counted ${likers} likers: ${JSON.stringify(await likeNotices(app.url, loud.authorization))}`,
    );
  });
  const stored = await conn
    .db!.collection('notifications')
    .findOne({ userId: new mongoose.Types.ObjectId(loud.id), type: 'like' });
  socket.close();
  await conn.close();

  console.log(`\nNotification fan-out: ${likers} people like one post (8 at a time)\n`);
  console.log(tableHeader);
  report(
    'like with its notice / like alone, likes per second',
    likers / told.seconds,
    likers / alone.seconds,
    'likes/s',
    '≥ 0.5',
  );
  report('server CPU per like (inverse)', alone.cpu / told.cpu, 1, '', '≥ 0.5', [
    (told.cpu / likers) * 1e6,
    (alone.cpu / likers) * 1e6,
  ]);
  console.log(
    `\nThe author holds one like notice, "${told.result![0]!.text}" (${told.result![0]!.actorCount} people; ` +
      `${(stored?.actorIds as unknown[] | undefined)?.length} of them kept by id); ${pushes} notification:new pushes reached ` +
      `their socket; ${told.seconds.toFixed(1)} s until the notice counted everyone.`,
  );
} finally {
  stopServers();
  await db.stop();
}
