/**
 * npm run seed: fills the configured database (the embedded one by default, as npm start
 * uses) with demo data through the same services the API uses: people with generated
 * photos and locations, connections, conversations, photo posts with likes and comments,
 * past random matches, and Gold payments through the local gateway. Everyone's password
 * is "demo password 123" but the administrator's (demo_admin_*), which is printed at the end.
 * Only against a local database (embedded or localhost) with the local payment gateway.
 *   SEED_USERS (default 40)   people to make
 * Refuses to run in production. A progress bar shows each step. Past matches are written
 * as records (a match is otherwise only made live, by two sockets in the queue).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import bcrypt from 'bcrypt';
import { SingleBar, Presets } from 'cli-progress';
import sharp from 'sharp';
import { config } from '../config/index.js';
import { Match } from '../models/match.model.js';
import { createUser } from '../services/auth/auth.service.js';
import { sendMessage } from '../services/chat/message.service.js';
import { swipe } from '../services/connections/connection.service.js';
import { setPlan } from '../services/connections/quota.service.js';
import { createOrder, verifyCheckout } from '../services/payments/payment.service.js';
import { checkoutSignature } from '../services/payments/signature.js';
import { addPhoto } from '../services/people/photo.service.js';
import { setUserRole } from '../services/people/user.service.js';
import { addComment } from '../services/posts/comment.service.js';
import { likePost } from '../services/posts/engagement.service.js';
import { processPostMedia } from '../services/posts/media-processor.js';
import { heldMediaQueue } from '../services/posts/media-queue.js';
import { createPost } from '../services/posts/post.service.js';
import { createStorageProvider } from '../services/storage/storage.service.js';
import { flushAnalytics } from '../services/analytics/record.js';
import { flushConversationTails } from '../services/chat/conversation-tail.js';
import { configureLogger } from '../utils/logger.js';
import { runWithDatabase } from './with-database.js';

// Demo people with a known password (and an administrator) belong on a machine's own
// database only: never production, never a remote cluster, whatever NODE_ENV says.
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const hosts = config.db.uri ? (/^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(config.db.uri)?.[1] ?? '').split(',') : [];
const local = hosts.every((h) => LOCAL_HOSTS.has(h.replace(/:\d+$/, '')));
if (config.isProduction || !local || config.payments.gateway !== 'local') {
  process.stderr.write(
    'seed: runs only against a local database (the embedded one or localhost) with the local payment gateway\n',
  );
  process.exit(2);
}

const COUNT = Number(process.env.SEED_USERS ?? 40);
const PASSWORD = 'demo password 123';
const FIRST = [
  'Aarav',
  'Diya',
  'Kabir',
  'Meera',
  'Rohan',
  'Isha',
  'Vihaan',
  'Anaya',
  'Arjun',
  'Saanvi',
  'Leo',
  'Maya',
  'Noah',
  'Zara',
  'Omar',
  'Lina',
];
const LAST = ['Sharma', 'Patel', 'Iyer', 'Khan', 'Reddy', 'Singh', 'Das', 'Mehta', 'Costa', 'Nair', 'Silva', 'Bose'];
const INTERESTS = [
  'hiking',
  'music',
  'coding',
  'cricket',
  'cooking',
  'travel',
  'books',
  'football',
  'photography',
  'yoga',
  'art',
  'movies',
];
const LINES = [
  'Hey! How was your weekend?',
  'Pretty good, went hiking 🥾',
  'Nice! Where to?',
  'Up in the hills near the lake.',
  'We should go together sometime',
  'Absolutely, next Saturday?',
  'Deal 👍',
];
const pick = <T>(list: readonly T[]) => list[randomInt(list.length)]!;

/** A picture of soft shapes on a colour, as a JPEG: no fonts or network needed. */
function picture(seed: number, width = 640, height = 640): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const circles = Array.from({ length: 6 }, (_, i) => {
    const r = 40 + ((seed * (i + 3)) % 120);
    return `<circle cx="${(seed * 53 * (i + 1)) % width}" cy="${(seed * 31 * (i + 2)) % height}" r="${r}" fill="hsl(${(hue + i * 40) % 360},70%,${55 + i * 4}%)" opacity="0.75"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="hsl(${hue},60%,35%)"/>${circles}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

function progress(title: string, total: number) {
  const bar = new SingleBar({ format: `${title.padEnd(14)} [{bar}] {value}/{total}`, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

// The progress bars, not the mails the log provider writes for every request and message.
configureLogger(process.env.LOG_LEVEL ?? 'warn');

await runWithDatabase(async () => {
  const storage = createStorageProvider(config.storage);
  const passwordHash = await bcrypt.hash(PASSWORD, config.auth.bcryptCost);
  // The administrator alone gets a password of its own, printed once at the end.
  const adminPassword = randomBytes(12).toString('base64url');
  const tag = Date.now().toString(36).slice(-4);
  const ids: string[] = [];

  let bar = progress('people', COUNT);
  for (let i = 0; i < COUNT; i++) {
    const firstName = i === 0 ? 'Demo' : pick(FIRST);
    const lastName = i === 0 ? 'Admin' : pick(LAST);
    const username = i === 0 ? `demo_admin_${tag}` : `${firstName.toLowerCase()}_${tag}_${i}`;
    const user = await createUser({
      firstName,
      lastName,
      username,
      email: `${username}@demo.test`,
      phone: `+9198${String(Date.now() % 1e5).padStart(5, '0')}${String(i).padStart(4, '0')}`,
      gender: pick(['male', 'female', 'non-binary'] as const),
      dateOfBirth: new Date(Date.UTC(1985 + randomInt(20), randomInt(12), 1 + randomInt(28))),
      preference: pick(['dating', 'friendship'] as const),
      interests: [...new Set([pick(INTERESTS), pick(INTERESTS), pick(INTERESTS)])],
      bio: `Into ${pick(INTERESTS)} and ${pick(INTERESTS)}.`,
      locationConsent: true,
      location: { lat: 19 + (randomInt(2000) - 1000) / 1000, lng: 72.9 + (randomInt(2000) - 1000) / 1000 },
      passwordHash: i === 0 ? await bcrypt.hash(adminPassword, config.auth.bcryptCost) : passwordHash,
      emailVerified: true,
    } as Parameters<typeof createUser>[0]);
    const id = String(user._id);
    ids.push(id);
    await addPhoto(storage, id, await picture(i + 1), 'avatar');
    // Premium for the demo: swipes and messages without daily limits.
    await setPlan(id, 'premium', new Date(Date.now() + 30 * 86_400_000));
    bar.update(i + 1);
  }
  bar.stop();
  await setUserRole(ids[0]!, 'admin');

  const pairs: [string, string][] = [];
  for (let i = 0; i < ids.length; i++) for (let k = 1; k <= 3; k++) pairs.push([ids[i]!, ids[(i + k) % ids.length]!]);
  bar = progress('connections', pairs.length);
  for (const [n, [a, b]] of pairs.entries()) {
    await swipe(a, b, 'interested');
    await swipe(b, a, 'interested');
    bar.update(n + 1);
  }
  bar.stop();

  const talking = pairs.filter((_, n) => n % 2 === 0);
  bar = progress('conversations', talking.length);
  for (const [n, [a, b]] of talking.entries()) {
    const lines = LINES.slice(0, 3 + randomInt(LINES.length - 2));
    for (const [j, text] of lines.entries()) {
      const [from, to] = j % 2 === 0 ? [a, b] : [b, a];
      await sendMessage(from, { toUserId: to, clientMessageId: `seed${tag}${n}m${j}x`, text });
    }
    bar.update(n + 1);
  }
  bar.stop();

  const authors = ids.slice(0, Math.ceil(ids.length / 2));
  const dir = await mkdtemp(join(tmpdir(), 'devtinder-seed-'));
  bar = progress('posts', authors.length);
  for (const [n, author] of authors.entries()) {
    const path = join(dir, `${n}.jpg`);
    const bytes = await picture(100 + n, 1080, 1080);
    await writeFile(path, bytes);
    const post = await createPost(
      author,
      { caption: `A day of #${pick(INTERESTS)} with friends`, visibility: 'public' },
      [{ path, size: bytes.length }],
      { storage, queue: heldMediaQueue },
    );
    const postId = String((post as { id?: string; _id?: unknown }).id ?? (post as { _id?: unknown })._id);
    await processPostMedia(postId, storage);
    for (const fan of ids.filter((id) => id !== author).slice(0, randomInt(6))) await likePost(fan, postId);
    await addComment(ids[(n + 1) % ids.length]!, postId, { text: 'Love this!' }, storage);
    bar.update(n + 1);
  }
  bar.stop();
  await rm(dir, { recursive: true, force: true });

  bar = progress('matches', Math.floor(ids.length / 2));
  for (let i = 0; i + 1 < ids.length; i += 2) {
    const foundAt = new Date(Date.now() - randomInt(7 * 86_400_000));
    await Match.create({
      userIds: [ids[i]!, ids[i + 1]!],
      mode: pick(['chat', 'video'] as const),
      status: pick(['accepted', 'rejected', 'expired'] as const),
      tickets: [],
      foundAt,
      expiresAt: new Date(foundAt.getTime() + 30_000),
      answeredAt: foundAt,
      endedAt: new Date(foundAt.getTime() + 600_000),
    });
    bar.update(i / 2 + 1);
  }
  bar.stop();

  // Gold for a few through the local gateway, as the checkout would pay it.
  const payers = ids.slice(1, 6);
  bar = progress('payments', payers.length);
  for (const [n, id] of payers.entries()) {
    // Back to free from the demo's premium, then Gold bought as a person would.
    await setPlan(id, 'free', null);
    const order = await createOrder(id, { plan: 'gold', months: 1 }, undefined);
    const paymentId = `pay_local_${order.orderId}`;
    await verifyCheckout(
      id,
      {
        razorpay_order_id: order.orderId,
        razorpay_payment_id: paymentId,
        razorpay_signature: checkoutSignature(config.payments.keySecret, order.orderId, paymentId),
      },
      undefined,
    );
    bar.update(n + 1);
  }
  bar.stop();

  // Notices and counts the services finish in the background land before the database closes.
  await new Promise((r) => setTimeout(r, 1500));
  await Promise.all([flushAnalytics(), flushConversationTails()]);
  process.stdout.write(
    `\nSeeded ${ids.length} people (password "${PASSWORD}"); administrator: demo_admin_${tag}@demo.test, password ${adminPassword}\n`,
  );
  return 0;
});
