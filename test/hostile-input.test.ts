import { expect } from 'chai';
import { openApiDocument } from '../docs/openapi.js';
import { Block } from '../models/block.model.js';
import { Report } from '../models/report.model.js';
import { ERROR_CODES } from '../utils/error-codes.js';
import { api, freshIp } from './support/app.js';
import { HOSTILE_VALUES, REFUSED_VALUES } from './support/hostile.js';
import { bearer, newSignup, signupUser, staffUser, type SignedUp } from './support/users.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

const schemas = openApiDocument.components.schemas as unknown as Record<string, Schema>;
const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? resolve(schemas[s.$ref.split('/').pop()!]) : s);
/** The top-level property names a JSON body schema names (through refs and allOf/oneOf). */
function propertyNames(s: Schema | undefined): string[] {
  const r = resolve(s);
  if (!r) return [];
  return [
    ...Object.keys(r.properties ?? {}),
    ...[...(r.allOf ?? []), ...(r.oneOf ?? []), ...(r.anyOf ?? [])].flatMap((x) => propertyNames(x)),
  ];
}

const HOSTILE_PARAMS = [
  '%ED%A0%80',
  '%E0%A4%A',
  '%uD800',
  '{"$gt":""}',
  '%24gt',
  'x'.repeat(3000),
  '-1',
  '99999999999999999999999',
  '..%2F..%2Fetc',
  '%00',
  'null',
  '[object Object]',
];
const HOSTILE_QUERIES = (name: string) => [
  `${name}[$ne]=1`,
  `${name}=1&${name}=2`,
  `${name}=${'9'.repeat(400)}`,
  `${name}=${encodeURIComponent('eyJ4IjoxfQ')}`,
  `${name}=-5`,
  `${name}=%F0%9F%92%A9%00`,
];

const codes = new Set(Object.keys(ERROR_CODES));

describe('hostile input on every documented route', function () {
  this.timeout(600_000);
  let other: SignedUp;

  before(async () => {
    other = await signupUser();
  });

  it('never answers a 5xx or hangs, whatever is put in a path, a query or a body; refuses operator keys and broken text', async () => {
    const problems: string[] = [];
    const answered = new Set<string>();
    const client = await api();
    for (const [path, ops] of Object.entries(openApiDocument.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        // Someone of their own per operation (one may end its caller's sessions or account), and
        // another once an account's budget for the action is spent.
        const someone = () => (path.startsWith('/api/v1/admin') ? staffUser('admin') : signupUser());
        let who = await someone();
        const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        const queries = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        const jsonSchema = op.requestBody?.content?.['application/json']?.schema;
        const fields = propertyNames(jsonSchema);
        // A body schema the sweep cannot read (a reference to nothing) would test nothing of it.
        if (jsonSchema) expect(resolve(jsonSchema), `${method} ${path}: its body's schema`).to.not.equal(undefined);
        const fill = (value: string) => path.replace(/\{(\w+)\}/g, () => value);
        const tries: { url: string; body?: unknown; what: string; refused?: boolean }[] = [];
        const plain = fill(params.length ? other.id : '');
        for (const v of params.length ? HOSTILE_PARAMS : []) tries.push({ url: fill(v), what: `param ${v.slice(0, 30)}` });
        for (const q of queries)
          for (const qs of HOSTILE_QUERIES(q)) tries.push({ url: `${plain}?${qs}`, what: `query ${qs.slice(0, 40)}` });
        if (jsonSchema && method !== 'get') {
          for (const f of fields)
            for (const v of HOSTILE_VALUES)
              tries.push({
                url: plain,
                body: { [f]: v },
                what: `body.${f}=${JSON.stringify(v).slice(0, 30)}`,
                refused: REFUSED_VALUES.includes(v),
              });
          // A body that is not an object is refused whatever the route (a PATCH took [] as "no change").
          for (const body of [[], [{}], 'text', 0, null])
            tries.push({ url: plain, body, what: `body ${JSON.stringify(body)}`, refused: true });
          for (const body of [
            { __proto__: { admin: true } },
            JSON.parse('{"__proto__":{"role":"admin"}}'),
            { constructor: { prototype: { x: 1 } } },
          ])
            tries.push({ url: plain, body, what: `body ${JSON.stringify(body).slice(0, 30)}` });
        }
        const send = async (t: (typeof tries)[number]) => {
          const started = Date.now();
          let req = client[method as 'get'](t.url)
            .set(bearer(who.accessToken))
            .set('X-Forwarded-For', freshIp())
            .set('Origin', 'http://app.test');
          if (t.body !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(t.body));
          const res = await req.timeout(10_000).catch((err: Error) => ({ status: 0, body: { error: { code: err.message } } }));
          const code = (res.body as { error?: { code?: string } })?.error?.code;
          return { res, code, took: Date.now() - started };
        };
        for (const t of tries) {
          let { res, code, took } = await send(t);
          if (code === 'RATE_LIMITED') {
            who = await someone();
            ({ res, code, took } = await send(t));
          }
          // Status 0: no answer within supertest's 10 s (a hang).
          const bad =
            res.status === 0 ||
            res.status >= 500 ||
            (res.status >= 400 && (!code || !codes.has(code))) ||
            (t.refused && res.status !== 400);
          if (code) answered.add(code);
          if (bad) problems.push(`${method.toUpperCase()} ${path} [${t.what}] -> ${res.status} ${code ?? ''} ${took} ms`);
        }
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    // Each tried as the caller it was meant for, not turned away at the door.
    const turnedAway = ['INVALID_TOKEN', 'UNAUTHORIZED', 'RATE_LIMITED'];
    expect([...answered].filter((code) => turnedAway.includes(code))).to.deep.equal([]);
  });

  it('takes an id only as one lower-case string: one\'s own id in capitals or in an array is no way past "not oneself"', async () => {
    const me = await signupUser();
    const client = await api();
    const own = [me.id.toUpperCase(), [me.id]];
    for (const targetId of own) {
      const res = await client
        .post('/api/v1/reports')
        .set(bearer(me.accessToken))
        .send({ targetType: 'user', targetId, reason: 'spam' });
      expect([res.status, res.body.error?.code], JSON.stringify(targetId)).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
    for (const [method, path] of [
      ['post', `/api/v1/users/${me.id.toUpperCase()}/block`],
      ['post', `/api/v1/connections/${me.id.toUpperCase()}`],
      ['get', `/api/v1/posts/author/${me.id.toUpperCase()}`],
    ] as const) {
      const res = await client[method](path).set(bearer(me.accessToken)).send({ action: 'interested' });
      expect([res.status, res.body.error?.code], path).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
    expect(await Report.countDocuments({ reporterId: me.id })).to.equal(0);
    expect(await Block.countDocuments({ blockerId: me.id })).to.equal(0);
    // The id as the API writes it still works.
    const other = await signupUser();
    expect((await client.post(`/api/v1/users/${other.id}/block`).set(bearer(me.accessToken))).status).to.equal(204);
  });

  it('names what it refuses: broken text, a broken percent-escape, a query parameter given twice', async () => {
    const client = await api();
    const u = await signupUser();
    const refused = (res: { status: number; body: { error?: { code?: string } } }) => [res.status, res.body.error?.code];
    // validator's isEmail threw on a lone surrogate: a 500.
    const signup = await client
      .post('/api/v1/auth/signup')
      .set('X-Forwarded-For', freshIp())
      .send({ ...newSignup(), email: 'a\ud800@example.com' });
    expect(refused(signup)).to.deep.equal([400, 'MALFORMED_TEXT']);
    // A NUL in a search term reached the database, which refused it: a 500.
    const search = await client.get('/api/v1/users/search?q=ab%00c').set(bearer(u.accessToken));
    expect(refused(search)).to.deep.equal([400, 'MALFORMED_TEXT']);
    // A limit given twice passed its check item by item and became a NaN limit, which FerretDB
    // answered by closing the connection: a 503 for this and every request sharing it.
    const page = await client.get(`/api/v1/posts/author/${u.id}?limit=1&limit=2`).set(bearer(u.accessToken));
    expect(refused(page)).to.deep.equal([400, 'REPEATED_QUERY_PARAMETER']);
    expect(page.body.error.details).to.deep.equal({ parameter: 'limit' });
    // Only the API takes each parameter once: a probe (or a web page's link) reads what it reads.
    expect((await client.get('/healthz?x=1&x=2')).status).to.equal(200);
    // Path parameters are decoded per route, after the edge: each route's validation checks
    // them too (a NUL tag otherwise passed its length check and reached the database).
    const admin = await staffUser('admin');
    const tag = await client
      .patch('/api/v1/admin/content/trending/%00')
      .set(bearer(admin.accessToken))
      .set('Origin', 'http://app.test')
      .send({ status: 'approved' });
    expect(refused(tag)).to.deep.equal([400, 'MALFORMED_TEXT']);
    // The router could not decode the parameter: a BAD_REQUEST that named nothing.
    const user = await client.get('/api/v1/users/%E0%A4%A').set(bearer(u.accessToken));
    expect(refused(user)).to.deep.equal([400, 'MALFORMED_URL']);
  });
});
