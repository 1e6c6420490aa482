import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';

/**
 * The write a refresh makes (rotateRefreshToken in services/auth/session.service.ts) on the
 * raw driver: the same filter and $set, `workers` at once, each on its own session and
 * following its own hash. The sessions are copies of stored ones under new ids, in the same
 * collection (same indexes, same size), so the app's own sessions are left alone. The
 * floor of S3's refresh: no refresh can be faster on this database.
 */
export async function sessionWrites(uri: string, workers: number) {
  const client = await new mongoose.mongo.MongoClient(uri).connect();
  const sessions = client
    .db()
    .collection<{ _id: mongoose.mongo.ObjectId; userId: mongoose.mongo.ObjectId; refreshHash: string }>('sessions');
  const model = await sessions.findOne({ revokedAt: null });
  if (!model) throw new Error('no session to copy');
  const copies = Array.from({ length: workers }, () => ({ ...model, _id: new mongoose.mongo.ObjectId() }));
  await sessions.insertMany(copies);
  const writeOne = async (w: number) => {
    const session = copies[w]!;
    const now = new Date();
    // A hash of the size the app stores (hex SHA-256).
    const next = randomBytes(32).toString('hex');
    const claimed = await sessions.updateOne(
      { _id: session._id, userId: session.userId, refreshHash: session.refreshHash, revokedAt: null, expiresAt: { $gt: now } },
      {
        $set: {
          refreshHash: next,
          refreshGeneration: w,
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
  return { writeOne, close: () => client.close() };
}
