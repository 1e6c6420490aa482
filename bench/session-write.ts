import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { Session } from '../models/session.model.js';

/**
 * The write a refresh makes (rotateRefreshToken in services/auth/session.service.ts) on the
 * raw driver: the same filter and $set, `workers` at once, each on its own session and
 * following its own hash. The sessions are copies, under new ids, of `workers` stored ones
 * (the people's own, so their userIds differ as the chains' do), in the same collection
 * with the same indexes; the app's own sessions are never written, and the copies go at
 * close. The floor of S3's refresh: no refresh can be faster on this database.
 */
export async function sessionWrites(uri: string, workers: number) {
  const client = await new mongoose.mongo.MongoClient(uri).connect();
  const sessions = client
    .db()
    .collection<{ _id: mongoose.mongo.ObjectId; userId: mongoose.mongo.ObjectId; refreshHash: string }>(
      Session.collection.collectionName,
    );
  const stored = await sessions.find({ revokedAt: null }).limit(workers).toArray();
  if (stored.length < workers) throw new Error(`${workers} sessions to copy needed, ${stored.length} found`);
  const copies = stored.map((s) => ({ ...s, _id: new mongoose.mongo.ObjectId(), refreshGeneration: 0 }));
  await sessions.insertMany(copies);
  const writeOne = async (w: number) => {
    const session = copies[w]!;
    const now = new Date();
    // A hash of the size the app stores (hex SHA-256).
    const next = randomBytes(32).toString('hex');
    const claimed = await sessions.updateOne(
      { _id: session._id, userId: session.userId, refreshHash: session.refreshHash, revokedAt: null, expiresAt: { $gt: now } },
      {
        // What renewal() sets for the bench's loopback client: geoip places no loopback
        // address, so the refresh's country and region are undefined and not written; the
        // expiry slides by the default REFRESH_TOKEN_TTL_DAYS (30), which the bench keeps.
        $set: {
          refreshHash: next,
          refreshGeneration: ++session.refreshGeneration,
          updatedAt: now,
          lastUsedAt: now,
          expiresAt: new Date(now.getTime() + 30 * 86_400_000),
          ip: '127.0.0.1',
        },
      },
    );
    if (claimed.matchedCount !== 1) throw new Error('a session write matched nothing');
    session.refreshHash = next;
  };
  const close = async () => {
    try {
      await sessions.deleteMany({ _id: { $in: copies.map((c) => c._id) } });
    } finally {
      await client.close();
    }
  };
  return { writeOne, close };
}
