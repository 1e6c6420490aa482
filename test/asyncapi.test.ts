import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { asyncApiDocument, keyOf } from '../docs/asyncapi.js';
import { ASYNCAPI_FILE, asyncApiFileText, packageVersion } from '../scripts/asyncapi-build.js';
import { clientEventSchemas } from '../sockets/socket.events.js';
import { api } from './support/app.js';
import { emitUntyped, useSocketServer } from './support/chat.js';
import { signupUser } from './support/users.js';

const operations = asyncApiDocument.operations as Record<string, { action: string }>;
const documented = (action: 'receive' | 'send') =>
  Object.entries(operations)
    .filter(([, op]) => op.action === action)
    .map(([id]) => id.slice(action.length + 1));

describe('AsyncAPI document of the socket events', () => {
  const devices = useSocketServer();

  it('is a valid AsyncAPI 3.0 document', () => {
    const require = createRequire(import.meta.url);
    const spec = require('@asyncapi/specs/schemas/3.0.0-without-$id.json') as object;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(spec);
    expect(validate(asyncApiDocument), JSON.stringify(validate.errors?.slice(0, 5))).to.equal(true);
  });

  it('is what the typed event definitions build today (npm run docs:events)', async function () {
    this.timeout(90_000);
    const fresh = JSON.parse(await asyncApiFileText(packageVersion())) as unknown;
    expect(JSON.parse(readFileSync(ASYNCAPI_FILE, 'utf8'))).to.deep.equal(fresh);
  });

  it('documents every event a connected socket answers, and no event it does not', async () => {
    const u = await signupUser();
    const socket = await devices.connect(u);
    // An event of no handler is not answered at all.
    const unheard = await emitUntyped(socket, 'chat:shout', {}, 500).then(
      () => 'answered',
      () => 'unanswered',
    );
    expect(unheard).to.equal('unanswered');
    const answered: string[] = [];
    for (const event of Object.keys(clientEventSchemas)) {
      // An empty payload: each handler answers, most with VALIDATION_FAILED. The event budget
      // (20 a second) answers too, so a refusal is waited out and the event sent again.
      let ack = await emitUntyped(socket, event, {}, 2000);
      for (let waits = 0; ack.error?.code === 'RATE_LIMITED' && waits < 5; waits++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        ack = await emitUntyped(socket, event, {}, 2000);
      }
      // Answered by its handler: a result or a refusal of ours, not the budget nor a crash.
      expect(ack.ok === true || !['RATE_LIMITED', 'INTERNAL'].includes(ack.error?.code ?? ''), event).to.equal(true);
      answered.push(keyOf(event));
    }
    expect(answered.length).to.be.above(10);
    expect(documented('receive').sort()).to.deep.equal(answered.sort());
  });

  it('documents what the server pushes, each with its payload', () => {
    const pushed = documented('send');
    for (const event of ['chat:message', 'presence:changed', 'call:incoming', 'match:found', 'notification:new', 'admin:live']) {
      expect(pushed, event).to.include(keyOf(event));
    }
    const messages = asyncApiDocument.components.messages as Record<string, { payload?: unknown }>;
    for (const key of pushed) expect(messages[`${key}.push`]?.payload, key).to.be.an('object');
  });

  it('is served as JSON beside the OpenAPI document, and as a page to read', async () => {
    const json = await (await api()).get('/api/asyncapi.json');
    expect(json.status).to.equal(200);
    expect(json.body.asyncapi).to.equal('3.0.0');
    const page = await (await api()).get('/api/events');
    expect(page.status).to.equal(200);
    expect(page.headers['content-type']).to.match(/^text\/html/);
    for (const event of ['chat:send', 'chat:message', 'rtc:offer']) expect(page.text).to.include(`<code>${event}</code>`);
    // Security headers as everywhere: the page runs no script.
    expect(page.headers['content-security-policy']).to.include("script-src 'self'");
    expect(page.text).not.to.include('<script');
  });
});
