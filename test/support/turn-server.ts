import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './eventually.js';
import { freePort } from './process.js';

export interface TurnServer {
  /** What the server under test takes as TURN_URLS and TURN_SECRET. */
  env: { TURN_URLS: string; TURN_SECRET: string; TURN_RELAY_IPS: string };
  /** Its log (each relay it allocated is a line). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * coturn (Debian's `coturn`; production runs the same server) on loopback, with the REST
 * shared secret the app signs credentials with: a random match's call goes by relay only,
 * so a browser test of one needs a relay that works. Null when turnserver is not installed.
 * With `config`, that file's policy (production's) instead of relaying to loopback peers.
 */
export async function startTurnServer(options: { config?: string } = {}): Promise<TurnServer | null> {
  const binary = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'].find((p) => existsSync(p));
  if (!binary) return null;
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), 'devtinder-turn-'));
  const log = path.join(dir, 'turnserver.log');
  const child = spawn(
    binary,
    [
      ...(options.config ? ['-c', options.config] : ['-n']),
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=devtinder.test',
      // Both browsers are on this machine: their relayed addresses are loopback ones.
      ...(options.config ? [] : ['--allow-loopback-peers']),
      // Verbose: each allocation and permission is a line, which the tests look for.
      '-v',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      // A file: its stdout is buffered when a pipe.
      `--log-file=${log}`,
      '--simple-log',
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      `--userdb=${path.join(dir, 'turndb.sqlite')}`,
    ],
    { stdio: 'ignore' },
  );
  const output = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await eventually(async () => output().includes('Total General servers') || child.exitCode !== null, 10_000, 'coturn');
  if (child.exitCode !== null) throw new Error(`coturn did not start:\n${output()}`);
  return {
    env: { TURN_URLS: `turn:127.0.0.1:${port}?transport=udp`, TURN_SECRET: secret, TURN_RELAY_IPS: '127.0.0.1' },
    output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
