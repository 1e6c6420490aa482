/** Root hooks: one database connection for the run, dropped at the end. setup.ts has set the environment. */
import mongoose from 'mongoose';
import { connectDatabase } from '../../services/database.service.js';
import { closeTestApp } from './app.js';
import { contractViolations, setCurrentTest } from './socket-contract.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    await connectDatabase({ uri: process.env.MONGODB_URI!, serverSelectionTimeoutMs: 5000 });
  },
  beforeEach(this: Mocha.Context) {
    setCurrentTest(this.currentTest?.fullTitle() ?? '');
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);

    await closeTestApp();
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    // Pushes seen by any test that docs/asyncapi.json does not describe fail the run here.
    if (contractViolations.length) {
      throw new Error(`Socket events not as documented in docs/asyncapi.json:\n${[...new Set(contractViolations)].join('\n')}`);
    }
  },
};
