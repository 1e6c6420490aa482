import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const FERRET = resolve('../shared/ferretdb');

/** A database of the test's own that it can stop and start again, keeping its data. */
export interface OutageDatabase {
  uri: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

/** FerretDB on its own port when the shared scripts are here (CI), else an embedded mongod. */
export async function startOutageDatabase(): Promise<OutageDatabase> {
  if (process.env.TEST_MONGODB_URI && existsSync(`${FERRET}/start.sh`)) {
    const port = String(27_100 + (process.pid % 800));
    const { stdout } = await exec(`${FERRET}/start.sh`, [port]);
    return {
      uri: `${stdout.trim().replace(/\/$/, '')}/outage`,
      stop: async () => void (await exec(`${FERRET}/stop.sh`, [port])),
      restart: async () => void (await exec(`${FERRET}/start.sh`, [port], { env: { ...process.env, FERRETDB_KEEP: '1' } })),
      destroy: async () => void (await exec(`${FERRET}/stop.sh`, [port])),
    };
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create();
  return {
    uri: server.getUri('outage'),
    stop: async () => void (await server.stop({ doCleanup: false, force: false })),
    restart: async () => void (await server.start(true)),
    destroy: async () => void (await server.stop()),
  };
}
