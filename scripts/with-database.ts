import { config } from '../config/index.js';
import { connectDatabase, disconnectDatabase, startEmbeddedMongo } from '../services/database.service.js';

/** Runs a one-off task against the configured database (or the embedded one), then exits with its code. */
export async function runWithDatabase(task: () => Promise<number>): Promise<never> {
  const embedded = config.db.uri ? undefined : await startEmbeddedMongo(config.db.embeddedDir);
  await connectDatabase({ uri: config.db.uri ?? embedded!.uri, serverSelectionTimeoutMs: 5000 });
  let code = 1;
  try {
    code = await task();
  } finally {
    await disconnectDatabase();
    await embedded?.stop();
  }
  process.exit(code);
}
