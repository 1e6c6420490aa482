/**
 * `npm test`: starts what the suite talks to, then runs mocha with it in the environment.
 * - Mail: a local SES stand-in (aws-ses-v2-local) on a free port, behind a front that tests can
 *   take down; tests read what it received.
 * - Database: TEST_MONGODB_URI (FerretDB in CI) with a fresh database per run, or else an
 *   embedded mongodb-memory-server (needs internet the first time).
 * Arguments are passed on to mocha (`npm test -- --grep login`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';
import { startSesFront } from './support/ses-front.js';

const runId = randomBytes(4).toString('hex');
const ses = await sesModule.default({ host: '127.0.0.1', port: 0 });
// The app talks to the stand-in through a front the tests can take down (mail outages).
const sesFront = await startSesFront(`http://127.0.0.1:${(ses.address() as AddressInfo).port}`);
const sesEndpoint = sesFront.endpoint;

let stopMemoryServer: (() => Promise<unknown>) | undefined;
let uri = process.env.TEST_MONGODB_URI;
if (uri) {
  const url = new URL(uri);
  url.pathname = `/test_${runId}`;
  uri = url.toString();
} else {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create();
  stopMemoryServer = () => server.stop();
  uri = server.getUri(`test_${runId}`);
}

const child = spawn('npx', ['mocha', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, MONGODB_URI: uri, SES_ENDPOINT: sesEndpoint, TEST_RUN_ID: runId },
});
const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await stopMemoryServer?.();
sesFront.server.close();
ses.close();
process.exit(code);
