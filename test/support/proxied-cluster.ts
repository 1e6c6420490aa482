import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';
import { freePort } from './process.js';

/**
 * The backend as an operator runs it, from the files the project ships: nginx with
 * nginx/devtinder.conf (TLS with a certificate made here, HTTP/2) in front of the two API
 * processes pm2 starts from ecosystem.config.cjs in production mode, sharing Redis and the
 * test database. pm2 runs with a private PM2_HOME, so it never touches an operator's daemon.
 */
export interface ProxiedCluster {
  /** https://127.0.0.1:<port>, nginx's TLS side. */
  url: string;
  /** nginx's plain HTTP side (redirects to HTTPS). */
  httpPort: number;
  /**
   * A server of the test's own in the same nginx: it answers the client its limits count
   * ($client_network) for the address named in X-Test-Address (taken as the client's by realip).
   */
  clientOf: (address: string) => Promise<string>;
  /** The same for the network its uploads count by ($upload_network). */
  uploadNetworkOf: (address: string) => Promise<string>;
  /** The app processes' own ports, as the ecosystem file gives them. */
  appPorts: [number, number];
  pm2: (...args: string[]) => string;
  /** pm2 without blocking this process's event loop (its clients keep going meanwhile). */
  pm2Async: (...args: string[]) => Promise<string>;
  /** pm2's ids and pids of the API processes. */
  processes: () => { name: string; pm_id: number; pid: number; restarts: number }[];
  stop: () => Promise<void>;
}

const ROOT = process.cwd();
const APP_PORTS: [number, number] = [3000, 3001];
const pm2Bin = join(ROOT, 'node_modules', '.bin', 'pm2');

export const hasNginx = () => spawnSync('nginx', ['-v']).status === 0;

/** The newest TypeScript source the build reads, against dist/server.js. */
function buildIsStale(): boolean {
  const built = join(ROOT, 'dist', 'server.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const skip = new Set(['node_modules', 'dist', 'test', 'bench', '.git', 'web', '.data']);
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) => {
        if (e.isDirectory()) return skip.has(e.name) ? 0 : newest(join(dir, e.name));
        return e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0;
      }),
    );
  return newest(ROOT) > builtAt;
}

/** nginx/devtinder.conf with a throwaway certificate and free ports in place of 443 and 80. */
function nginxConfig(dir: string, tlsPort: number, httpPort: number, probePort: number): string {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=api.example.com',
    '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem'),
  ], { stdio: 'ignore' }); // prettier-ignore
  const site = readFileSync(join(ROOT, 'nginx', 'devtinder.conf'), 'utf8')
    .replaceAll('/etc/letsencrypt/live/api.example.com', dir)
    .replace(/^\s*listen \[::\]:.*$/gm, '')
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl http2;`)
    .replace('listen 80;', `listen 127.0.0.1:${httpPort};`);
  writeFileSync(join(dir, 'site.conf'), site);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_processes 1;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  include ${dir}/site.conf;
  server {
    listen 127.0.0.1:${probePort};
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Test-Address;
    location / { return 200 "$client_network"; }
    location /upload { return 200 "$upload_network"; }
  }
}
`,
  );
  return conf;
}

/** A GET over HTTPS through nginx from a chosen loopback address; resolves with status and body. */
export function httpsGet(
  url: string,
  { localAddress, headers = {} }: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return httpsSend('GET', url, undefined, { localAddress, headers });
}

export function httpsSend(
  method: string,
  url: string,
  body: unknown,
  { localAddress, headers = {} }: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  // A Buffer goes as it is (a multipart body, its type in `headers`); anything else as JSON.
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        localAddress,
        rejectUnauthorized: false,
        agent: false,
        timeout: 10_000,
        headers: { ...(typeof payload === 'string' && { 'content-type': 'application/json' }), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * A request over HTTPS through nginx that sends its headers and the first bytes of a body it says
 * is `length` long, and no more until `abort`: held open as a slow upload is. `sent` settles once
 * those bytes left (the connection is up); `answer` when nginx answers before the body is in.
 */
export function heldUpload(
  url: string,
  length: number,
  localAddress: string,
  { method = 'POST', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
) {
  let req!: ReturnType<typeof httpsRequest>;
  let wrote!: () => void;
  const sent = new Promise<void>((resolve) => (wrote = resolve));
  const answer = new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    req = httpsRequest(
      url,
      {
        method,
        localAddress,
        rejectUnauthorized: false,
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(length), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.write(Buffer.alloc(1024, 1), () => wrote());
  });
  answer.catch(() => undefined);
  return { sent, answer, abort: () => req.destroy() };
}

/**
 * An upload whose sender goes on sending after its answer, as a client that ignores the answer
 * can (its side of the connection kept open when nginx closes its own): a 50 MB body, 64 KiB
 * every 50 ms for up to 10 s. Its status, and whether nginx cut the connection before then.
 */
export function sentOnAfterAnswer(url: string, localAddress: string, headers: Record<string, string>) {
  const { hostname, port, pathname } = new URL(url);
  return new Promise<{ status: number; cutOff: boolean }>((resolve) => {
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const status = () => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    const finish = (cutOff: boolean) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ status: status(), cutOff });
    };
    // Any of socket.connect()'s options goes too (node's tls docs), though its types list none.
    const options = {
      host: hostname,
      port: Number(port),
      localAddress,
      rejectUnauthorized: false,
      allowHalfOpen: true,
      ALPNProtocols: ['http/1.1'],
    };
    const socket = tlsConnect(options as ConnectionOptions);
    const head = {
      host: hostname,
      'content-type': 'application/octet-stream',
      'content-length': String(50 * 1024 * 1024),
      ...headers,
    };
    socket.write(
      `POST ${pathname} HTTP/1.1\r\n${Object.entries(head)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    );
    socket.write(Buffer.alloc(1024, 1));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('data', (d: Buffer) => {
      const first = !answer;
      answer += d.toString('latin1');
      if (!first) return;
      let ticks = 0;
      timer = setInterval(() => {
        if (++ticks > 200) return finish(false);
        socket.write(Buffer.alloc(64 * 1024, 1));
      }, 50);
    });
  });
}

export async function startProxiedCluster(env: Record<string, string>): Promise<ProxiedCluster> {
  for (const port of APP_PORTS) {
    const probe = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (probe) throw new Error(`port ${port} is taken: the ecosystem file's processes need it`);
  }
  if (buildIsStale()) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });

  const dir = mkdtempSync(join(tmpdir(), 'devtinder-proxy-'));
  // nginx's workers (not root) write their temp files under it.
  chmodSync(dir, 0o755);
  // Nothing of the test run's own environment (its test settings) but PATH and HOME.
  const pm2Env = { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PM2_HOME: join(dir, 'pm2') };
  const pm2 = (...args: string[]) => execFileSync(pm2Bin, args, { cwd: ROOT, env: pm2Env, encoding: 'utf8' });
  const pm2Async = async (...args: string[]) =>
    (await promisify(execFile)(pm2Bin, args, { cwd: ROOT, env: pm2Env, encoding: 'utf8' })).stdout;
  pm2('start', 'ecosystem.config.cjs', '--only', 'devtinder-api', '--env', 'production');

  const [tlsPort, httpPort, probePort] = [await freePort(), await freePort(), await freePort()];
  const conf = nginxConfig(dir, tlsPort, httpPort, probePort);
  const nginx: ChildProcess = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  const url = `https://127.0.0.1:${tlsPort}`;
  const stop = async () => {
    try {
      pm2('kill');
    } catch {
      // already gone
    }
    if (nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await new Promise((r) => nginx.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const logs = () => {
    const files = [join(dir, 'error.log'), ...['out', 'error'].map((k) => join(dir, 'pm2', 'logs', `devtinder-api-${k}.log`))];
    return files.map((f) => (existsSync(f) ? `${f}:\n${readFileSync(f, 'utf8').slice(-4000)}` : '')).join('\n');
  };
  try {
    for (const port of APP_PORTS) {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000, `app on ${port}`);
    }
    await eventually(async () => (await httpsGet(`${url}/healthz`)).status === 200, 15_000, 'nginx');
  } catch (err) {
    const seen = logs();
    await stop();
    throw new Error(`${(err as Error).message}\n${seen}`);
  }

  return {
    url,
    httpPort,
    clientOf: async (address) =>
      (await fetch(`http://127.0.0.1:${probePort}/`, { headers: { 'X-Test-Address': address } })).text(),
    uploadNetworkOf: async (address) =>
      (await fetch(`http://127.0.0.1:${probePort}/upload`, { headers: { 'X-Test-Address': address } })).text(),
    appPorts: APP_PORTS,
    pm2,
    pm2Async,
    processes: () =>
      (JSON.parse(pm2('jlist')) as { name: string; pm_id: number; pid: number; pm2_env: { restart_time: number } }[])
        .filter((p) => p.name === 'devtinder-api')
        .map((p) => ({ name: p.name, pm_id: p.pm_id, pid: p.pid, restarts: p.pm2_env.restart_time })),
    stop,
  };
}
