import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import supertest from 'supertest';
import { config } from '../../config/index.js';
import { eventually } from './eventually.js';
import { freePort, spawnServer, type Spawned } from './process.js';

/** Debian's chromium (apt-get install chromium), or CHROMIUM_PATH. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** The web client built from web/ now, into a folder of this run (the tests see the current source). */
export async function buildWebClient(): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'devtinder-web-'));
  const { build } = await import('vite');
  // The production build of React, as users get it (the test run's NODE_ENV would pick React's development build).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.resolve('web/vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

export interface WebServer {
  url: string;
  port: number;
  process: Spawned;
  stop(): Promise<void>;
}

/**
 * server.ts as a real process serving the built client, the API and the socket on one
 * origin (http://localhost:<port>), against the run's database; the local payment gateway
 * (no Razorpay keys) and the run's Redis when there is one.
 */
export async function startWebServer(webDir: string, extra: Record<string, string> = {}): Promise<WebServer> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const proc = spawnServer(port, process.env.MONGODB_URI!, {
    WEB_DIR: webDir,
    CORS_ORIGINS: url,
    APP_URL: url,
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
    REDIS_URL: config.redisUrl ?? '',
    TRUST_PROXY: 'false',
    RAZORPAY_KEY_ID: '',
    RAZORPAY_KEY_SECRET: '',
    RAZORPAY_WEBHOOK_SECRET: '',
    // People click at human speed: the tests' short rings, typing and match windows are too short.
    CALL_RING_TIMEOUT_MS: '30000',
    MATCH_RESPONSE_MS: '20000',
    TYPING_TTL_MS: '5000',
    ADMIN_LIVE_INTERVAL_MS: '500',
    // Long, so a test can tell an ending at once from one after the grace.
    RECONNECT_GRACE_MS: '30000',
    // A dropped network noticed in seconds, for the catch-up test.
    SOCKET_PING_INTERVAL_MS: '1000',
    SOCKET_PING_TIMEOUT_MS: '1000',
    // Queues, budgets and presence of its own, apart from the in-process app's.
    MEDIA_QUEUE_PREFIX: `bull-web-${port}-${process.env.TEST_RUN_ID ?? process.pid}`,
    RATE_LIMIT_PREFIX: `rl:web:${port}:${process.env.TEST_RUN_ID ?? process.pid}:`,
    ...extra,
  });
  await eventually(
    async () =>
      (
        await supertest(url)
          .get('/readyz')
          .catch(() => ({ status: 0 }))
      ).status === 200,
    30_000,
    'the web server',
  );
  return {
    url,
    port,
    process: proc,
    async stop() {
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/** Chromium with a fake camera and microphone that are granted without asking. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  // Chromium's sandbox refuses to run as root (CI containers).
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath, args });
}

/** A person's own browser profile: cookies and storage of its own, camera and microphone allowed. */
export async function newPerson(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    permissions: ['camera', 'microphone'],
    baseURL: origin,
    viewport: { width: 1100, height: 900 },
  });
  const page = await context.newPage();
  watch(page);
  return { context, page };
}

/** What each open page heard go wrong: console errors and refused API calls. */
const heard = new Map<Page, string[]>();
function watch(page: Page) {
  const log: string[] = [];
  heard.set(page, log);
  page.on('close', () => heard.delete(page));
  page.on('console', (m) => {
    if (m.type() === 'error') log.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().includes('/api/'))
      log.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()}`);
  });
}

/** For a failed test's report: where every page still open is, what it shows and what it heard. */
export async function describeOpenPages(): Promise<string> {
  const parts = [];
  for (const [page, log] of heard) {
    const text = await page
      .locator('main')
      .innerText({ timeout: 1000 })
      .catch(() => '(no main)');
    parts.push(
      `${page.url()}\n  shows: ${text.slice(0, 600).replace(/\n+/g, ' | ')}\n  heard: ${log.slice(-10).join('; ') || 'nothing'}`,
    );
    heard.delete(page);
  }
  return parts.join('\n');
}
