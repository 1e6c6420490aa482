/** Root hooks: one database connection for the run, dropped at the end. setup.ts has set the environment. */
import mongoose from 'mongoose';
import { connectDatabase } from '../../services/database.service.js';
import { closeTestApp } from './app.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    await connectDatabase({ uri: process.env.MONGODB_URI!, serverSelectionTimeoutMs: 5000 });
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await closeTestApp();
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
  },
};
