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

export interface StartedServer extends Spawned {
  url: string;
}

/**
 * server.ts on a port free right now, resolved once it answers /readyz. A fixed port can be
 * taken by an outgoing connection's local port (the ephemeral range starts at 32768), so
 * none is chosen ahead; a server that never gets ready fails with what it printed.
 */
export async function startServer(
  mongoUri: string,
  extra: Record<string, string> = {},
  what = 'the server',
  timeoutMs = 30_000,
): Promise<StartedServer> {
  const port = await freePort();
  const spawned = spawnServer(port, mongoUri, extra);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) }).then(
      // The body is let go at once, so no polled response holds a connection open.
      (res) => (void res.body?.cancel(), res.status === 200),
      () => false,
    );
    if (ready) return { ...spawned, url };
    if (spawned.child.exitCode !== null || Date.now() > deadline) {
      spawned.child.kill('SIGKILL');
      throw new Error(`${what} did not get ready on ${port}; it printed:\n${spawned.output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
