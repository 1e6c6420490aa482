import { z } from 'zod';
import { baseUrl, csv, defineArea, int } from '../env-rules.js';
import { type TrustProxySetting, trustProxyProblems } from '../trust-proxy.js';

/** Express "trust proxy": false, true, a hop count, or a list of subnets/names. */
const trustProxy = z
  .string()
  .optional()
  .transform((v): TrustProxySetting => {
    if (v === undefined || v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v;
  });

// Where the web app runs in development (Vite) and the API itself.
const DEV_ORIGINS = ['http://localhost:5173', 'http://localhost:3000'];

/** The HTTP server: where it listens, who may call it, how it logs and stops. */
export const server = defineArea({
  vars: {
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(3000, 0, 65535),
    TRUST_PROXY: trustProxy,
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug', 'silent']).default('info'),
    APP_URL: baseUrl('http://localhost:5173'),
    PUBLIC_URL: baseUrl('http://localhost:3000'),
    CORS_ORIGINS: csv,
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb')
      .default('100kb'),
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 120_000),
    RUNTIME_SETTINGS_POLL_MS: int(5000, 100, 60_000),
    ADMIN_LIVE_INTERVAL_MS: int(5000, 100, 60_000),
    // Socket heartbeats: a network that dropped shows after about interval + timeout.
    // At most 60 s: nginx's proxy_read_timeout (75 s) would otherwise cut idle sockets.
    SOCKET_PING_INTERVAL_MS: int(25_000, 500, 60_000),
    SOCKET_PING_TIMEOUT_MS: int(20_000, 500, 60_000),
    // How long an opened connection may wait before it signs in (Socket.IO's CONNECT): one that
    // never does would otherwise hold its socket, memory and file for 45 s, untouched by any budget.
    SOCKET_CONNECT_TIMEOUT_MS: int(10_000, 500, 60_000),
    // The built web client (npm run build); served at / when its index.html is there.
    WEB_DIR: z.string().min(1).default('dist/web'),
    // Lets a Prometheus on another host scrape /metrics; without it only loopback, unproxied.
    METRICS_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  },
  check: (e, { production }) => [
    ...(production && e.CORS_ORIGINS.length === 0 ? ['CORS_ORIGINS: required in production'] : []),
    ...trustProxyProblems(e.TRUST_PROXY, production),
    ...e.CORS_ORIGINS.filter((origin) => !/^https?:\/\/[^/]+$/.test(origin)).map(
      (origin) => `CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`,
    ),
  ],
  settings: (e, { production }) => ({
    env: e.NODE_ENV,
    isProduction: production,
    host: e.HOST,
    port: e.PORT,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    appUrl: e.APP_URL,
    publicUrl: e.PUBLIC_URL,
    corsOrigins: e.CORS_ORIGINS.length ? e.CORS_ORIGINS : DEV_ORIGINS,
    bodyLimit: e.BODY_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    // How often each process looks for settings admins changed (GET/PATCH /admin/settings).
    runtimeSettingsPollMs: e.RUNTIME_SETTINGS_POLL_MS,
    // How often admins' sockets hear the live figures (admin:live).
    adminLiveMs: e.ADMIN_LIVE_INTERVAL_MS,
    socketPing: { intervalMs: e.SOCKET_PING_INTERVAL_MS, timeoutMs: e.SOCKET_PING_TIMEOUT_MS },
    socketConnectTimeoutMs: e.SOCKET_CONNECT_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    webDir: e.WEB_DIR,
  }),
});
