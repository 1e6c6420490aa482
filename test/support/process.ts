import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point (server, script) as a real process, as pm2 would. */
export function runTs(entry: string, args: string[], env: Record<string, string>): Spawned {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** server.ts as a real process on a port, against a database; REDIS_URL off unless given. */
export function spawnServer(port: number, mongoUri: string, extra: Record<string, string> = {}): Spawned {
  return runTs('server.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    MONGODB_URI: mongoUri,
    LOG_LEVEL: 'info',
    MAIL_PROVIDER: 'log',
    REDIS_URL: '',
    ...extra,
  });
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
