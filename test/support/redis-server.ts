import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { freePort } from './process.js';

export const hasRedisServer = () => spawnSync('redis-server', ['--version']).status === 0;

/** Whether the Redis on the port is the process `pid` (not another that took the port), answering. */
function answers(port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => socket.write('INFO server\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (d) => {
      reply += d.toString();
      if (!reply.includes('\r\nprocess_id:')) return;
      socket.destroy();
      resolve(reply.includes(`\r\nprocess_id:${pid}\r\n`));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * A redis-server of the test's own, to take away and bring back (an outage). `durable`: every
 * write is on disk before it is answered (appendfsync always), so a kill -9 and a start again
 * bring back all it held, as a restarted Redis with its append-only file does.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly durable: boolean,
  ) {}

  static async start({ durable = false } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'redis-')), durable);
    try {
      await redis.up();
      return redis;
    } catch (err) {
      await redis.stop();
      throw err;
    }
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const persistence = this.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, ...persistence];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    child.on('error', () => {}); // a missing binary: up() times out naming the port
    this.child = child;
    await eventually(() => answers(this.port, child.pid), 10_000, `redis-server on ${this.port}`);
  }

  /** Stops answering with its connections open (a stall: SIGSTOP), until resume(). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }
  resume(): void {
    this.child?.kill('SIGCONT');
  }
  /**
   * Resumes it while this process's event loop is held up for `ms` (a synchronous child
   * process): its answers arrive during the hold and wait, unread, for the loop to turn.
   */
  resumeDuringHold(ms: number): void {
    spawnSync('sh', ['-c', `kill -CONT ${this.child?.pid}; sleep ${ms / 1000}`]);
  }

  /** Gone at once, as a crash: nothing is flushed that was not already. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
