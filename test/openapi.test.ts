import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../config/index.js';
import { openApiDocument } from '../docs/openapi.js';
import { createRateLimiters } from '../middlewares/rate-limit.middleware.js';
import { healthRoutes } from '../routes/health.routes.js';
import { metricsRoutes } from '../routes/metrics.routes.js';
import { apiRouters } from '../routes/index.js';
import { paymentWebhookRoute } from '../routes/payment.routes.js';
import { heldMediaQueue } from '../services/posts/media-queue.js';
import { createStorageProvider } from '../services/storage/storage.service.js';
import { ERROR_CODES, PROXY_ONLY_CODES, statusOf, type ErrorCode } from '../utils/error-codes.js';
import { api } from './support/app.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every method + path the routers really serve, in OpenAPI form. */
function servedRoutes(): string[] {
  const mounted = [
    { prefix: '', router: healthRoutes() },
    { prefix: '', router: metricsRoutes() },
    { prefix: '/api/v1', router: paymentWebhookRoute() },
    ...apiRouters({
      limit: createRateLimiters(config.limits),
      storage: createStorageProvider(config.storage),
      media: heldMediaQueue,
    }).map((m) => ({
      prefix: `/api/v1${m.basePath}`,
      router: m.router,
    })),
  ];
  const out: string[] = [];
  for (const { prefix, router } of mounted) {
    for (const layer of router.stack as Layer[]) {
      if (!layer.route) continue;
      const path = (prefix + layer.route.path).replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
      for (const method of Object.keys(layer.route.methods)) out.push(`${method} ${path}`);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('lists every error code of the catalog, with its status and meaning', () => {
    const schema = (openApiDocument.components.schemas as Record<string, { enum?: string[]; description?: string }>).ErrorCode!;
    expect(schema.enum).to.have.members(Object.keys(ERROR_CODES));
    for (const [code, [status, meaning]] of Object.entries(ERROR_CODES)) {
      expect(schema.description).to.include(`| ${code} | ${status} | ${meaning} |`);
    }
  });

  it("answers nginx's own refusals with catalog codes at their statuses, and every code only nginx answers", () => {
    const conf = readFileSync(join(process.cwd(), 'nginx', 'devtinder.conf'), 'utf8');
    const codes = [...conf.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]!);
    expect(codes.filter((c) => !(c in ERROR_CODES))).to.deep.equal([]);
    expect(PROXY_ONLY_CODES.filter((c) => !codes.includes(c))).to.deep.equal([]);
    // A fixed answer's status is its code's.
    const returns = [...conf.matchAll(/return (\d{3}) '\{"error":\{"code":"([A-Z_]+)"/g)];
    expect(returns.length).to.be.greaterThan(4);
    for (const [, status, code] of returns) expect(Number(status), code).to.equal(statusOf(code as ErrorCode));
  });

  it("relays the app's refusal of an upload at every status the app answers (nginx's return takes no status from a variable)", () => {
    const conf = readFileSync(join(process.cwd(), 'nginx', 'devtinder.conf'), 'utf8');
    const relayed = [...conf.matchAll(/if \(\$upload_refusal_status = (\d{3})\) \{ return (\d{3}) \$upload_refusal_json; \}/g)];
    for (const [, status, returned] of relayed) expect(returned).to.equal(status);
    const appStatuses = new Set(
      (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => !PROXY_ONLY_CODES.includes(c)).map(statusOf),
    );
    expect(relayed.map((m) => Number(m[1])).sort()).to.deep.equal([...appStatuses].sort());
  });

  it('documents every route the app serves, and nothing it does not', () => {
    const served = servedRoutes();
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m} ${path}`),
    );
    expect(served.length).to.be.greaterThan(10);
    expect(
      served.filter((r) => !documented.includes(r)),
      'served but undocumented',
    ).to.deep.equal([]);
    expect(
      documented.filter((r) => !served.includes(r)),
      'documented but not served',
    ).to.deep.equal([]);
  });

  it('is served as OpenAPI 3.1 JSON and browsable at /api/docs', async () => {
    const doc = await (await api()).get('/api/openapi.json');
    expect(doc.status).to.equal(200);
    expect(doc.body.openapi).to.equal('3.1.0');
    expect(doc.body.paths).to.have.property('/api/v1/auth/signup');
    const ui = await (await api()).get('/api/docs/');
    expect(ui.status).to.equal(200);
    expect(ui.text).to.include('swagger-ui');
  });
});
