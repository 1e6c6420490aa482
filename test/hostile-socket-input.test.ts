import { expect } from 'chai';
import { asyncApiDocument, keyOf } from '../docs/asyncapi.js';
import { clientEventSchemas } from '../sockets/socket.events.js';
import { ERROR_CODES } from '../utils/error-codes.js';
import { emitUntyped, useSocketServer } from './support/chat.js';
import { HOSTILE_VALUES, REFUSED_VALUES } from './support/hostile.js';
import type { TestSocket } from './support/socket-server.js';
import { signupUser } from './support/users.js';

type Payload = { properties?: Record<string, unknown> };
const messages = asyncApiDocument.components.messages as Record<string, { payload?: Payload }>;
const codes = new Set(Object.keys(ERROR_CODES));
// What the edge refuses, whichever event and field it comes in.
const EDGE_CODES = ['INVALID_INPUT_KEY', 'MALFORMED_TEXT'];

/**
 * The socket door's counterpart of the HTTP sweep (hostile-input.test.ts): every event a client
 * may send, each documented field given each hostile value, and payloads that are no object.
 */
describe('hostile payloads on every socket event', function () {
  this.timeout(300_000);
  const devices = useSocketServer();

  it('answers every one with a documented refusal or a result, never INTERNAL or silence; refuses operator keys and broken text', async () => {
    // A fresh account whenever the event budget (per account) says stop.
    const someone = async () => devices.connect(await signupUser());
    let socket: TestSocket = await someone();
    const problems: string[] = [];
    const send = async (event: string, payload: unknown, refused: boolean, what: string) => {
      let ack = await emitUntyped(socket, event, payload, 10_000).catch((err: Error) => ({
        ok: false,
        error: { code: err.message },
      }));
      if (ack.error?.code === 'RATE_LIMITED') {
        socket = await someone();
        ack = await emitUntyped(socket, event, payload, 10_000).catch((err: Error) => ({
          ok: false,
          error: { code: err.message },
        }));
      }
      const code = ack.error?.code;
      const bad =
        !socket.connected ||
        (!ack.ok && (!code || !codes.has(code) || code === 'INTERNAL')) ||
        (refused && !EDGE_CODES.includes(code ?? ''));
      if (bad) problems.push(`${event} [${what}] -> ${ack.ok ? 'ok' : code}${socket.connected ? '' : ' (disconnected)'}`);
      if (!socket.connected) socket = await someone();
    };
    let sent = 0;
    for (const event of Object.keys(clientEventSchemas)) {
      const fields = Object.keys(messages[`${keyOf(event)}.request`]?.payload?.properties ?? {});
      for (const field of fields)
        for (const value of HOSTILE_VALUES) {
          await send(event, { [field]: value }, REFUSED_VALUES.includes(value), `${field}=${JSON.stringify(value).slice(0, 30)}`);
          sent++;
        }
      for (const payload of [[], 'text', 0, true, { $where: 'x' }, { 'a.b': 1 }, { nested: { $gt: '' } }]) {
        const refused = typeof payload === 'object' && !Array.isArray(payload);
        await send(event, payload, refused, JSON.stringify(payload));
        sent++;
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(sent).to.be.above(500);
  });
});
