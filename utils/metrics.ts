import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from './timeout.js';

/**
 * The process's Prometheus metrics (prom-client), scraped at /metrics on the app's own
 * port, which nginx never serves publicly. Counters are bumped where things happen;
 * gauges of state owned elsewhere (queues, connections, the database) are read at scrape
 * time through `gaugeFrom`, so nothing polls between scrapes.
 */
export const metrics = new Registry();
// Event-loop lag, heap, GC, CPU and handles, as prom-client defines them.
collectDefaultMetrics({ register: metrics, eventLoopMonitoringPrecision: 20 });

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metrics],
});

export const socketEvents = new Counter({
  name: 'socket_events_total',
  help: 'Socket.IO client events handled, by event and outcome (ok or the error code)',
  labelNames: ['event', 'outcome'] as const,
  registers: [metrics],
});

export const socketConnections = new Counter({
  name: 'socket_connections_total',
  help: 'Socket.IO connections accepted by this process',
  registers: [metrics],
});

export const jobRuns = new Histogram({
  name: 'job_duration_seconds',
  help: 'Scheduled job runs by job and outcome',
  labelNames: ['job', 'outcome'] as const,
  buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [metrics],
});

export const mailOutcomes = new Counter({
  name: 'mail_sent_total',
  help: 'Mails handed to the provider, by template and outcome',
  labelNames: ['template', 'outcome'] as const,
  registers: [metrics],
});

export const databasePings = new Counter({
  name: 'database_pings_total',
  help: 'Pings sent to the database (readiness probes)',
  registers: [metrics],
});

export const pushOutcomes = new Counter({
  name: 'push_sent_total',
  help: 'Pushes to devices, by kind and outcome',
  labelNames: ['kind', 'outcome'] as const,
  registers: [metrics],
});

const READ_TIMEOUT_MS = 500;

/** A reading, or -1 when it fails or takes too long (Redis down queues commands forever). */
const boundedRead = <T>(read: () => Promise<T> | T, fallback: T): Promise<T> =>
  withTimeout(Promise.resolve().then(read), READ_TIMEOUT_MS).catch(() => fallback);

/**
 * A gauge whose value is read from its owner at scrape time, within half a second (-1
 * when the owner cannot say: the scrape itself never hangs on an outage). Registering
 * the same name again (a second server in one test process) replaces the reader.
 */
export function gaugeFrom(
  name: string,
  help: string,
  read: () => Promise<Array<[Record<string, string>, number]> | number> | Array<[Record<string, string>, number]> | number,
  labelNames: string[] = [],
): void {
  metrics.removeSingleMetric(name);
  new Gauge({
    name,
    help,
    labelNames,
    registers: [metrics],
    async collect() {
      this.reset();
      const value = await boundedRead(read, -1);
      if (typeof value === 'number') this.set(value);
      else for (const [labels, v] of value) this.set(labels, v);
    },
  });
}

/** Times a job run into job_duration_seconds with its outcome. */
export async function timeJob<T>(job: string, run: () => Promise<T>): Promise<T> {
  const end = jobRuns.startTimer({ job });
  try {
    const result = await run();
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    end({ outcome: 'failed' });
    throw err;
  }
}
