/**
 * Builds docs/asyncapi.json (scripts/asyncapi.ts writes it: npm run docs:events), the AsyncAPI 3 document of every
 * Socket.IO event, from the typed definitions in sockets/socket.events.ts: client payloads
 * from their zod schemas, acks and server payloads from their TypeScript types (through
 * typescript-json-schema). test/asyncapi.test.ts fails when the file is not what this
 * builds today, or when a handler exists that it lacks.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import * as TJS from 'typescript-json-schema';
import { z } from 'zod';
import { ACCESS_COOKIE } from '../config/constants.js';
import { keyOf } from '../docs/asyncapi.js';
import { clientEventSchemas, type ClientEvent, type ServerEvent } from '../sockets/socket.events.js';
import { ERROR_CODES, PROXY_ONLY_CODES, type ErrorCode } from '../utils/error-codes.js';

type Schema = Record<string, unknown>;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ASYNCAPI_FILE = join(ROOT, 'docs', 'asyncapi.json');

/** JSON Schemas of the named types (properties by event), with their definitions renamed for people. */
function typeSchemas(names: string[]): { byName: Record<string, Schema>; definitions: Record<string, Schema> } {
  const program = TJS.getProgramFromFiles(
    [join(ROOT, 'sockets', 'socket.events.ts')],
    { strict: true, esModuleInterop: true, skipLibCheck: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'] },
    ROOT,
  ); // prettier-ignore
  // The generator tells about every inferred object literal it reads: not news here.
  const warn = console.warn;
  const log = console.log;
  console.warn = console.log = () => undefined;
  try {
    const generator = TJS.buildGenerator(program, {
      required: true,
      noExtraProps: true,
      ignoreErrors: true,
      strictNullChecks: true,
      ref: true,
      topRef: false,
    });
    if (!generator) throw new Error('typescript-json-schema could not read sockets/socket.events.ts');
    const byName: Record<string, Schema> = {};
    const definitions: Record<string, Schema> = {};
    for (const name of names) {
      const { definitions: defs = {}, ...schema } = generator.getSchemaForSymbol(name) as Schema & { definitions?: Schema };
      byName[name] = schema;
      Object.assign(definitions, defs);
    }
    return renameDefinitions(byName, definitions as Record<string, Schema>);
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/** `import("/abs/path/x.service").MessageView` becomes `MessageView`; `Record<"a"|"b",n>` a safe key. */
function renameDefinitions(byName: Record<string, Schema>, definitions: Record<string, Schema>) {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const old of Object.keys(definitions).sort()) {
    let name = old
      .replace(/^import\(.*\)\./, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '');
    while (taken.has(name)) name += '_';
    taken.add(name);
    names.set(old, name);
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) {
            const old = decodeURIComponent(v.slice('#/definitions/'.length));
            return [k, `#/components/schemas/${names.get(old) ?? old}`];
          }
          return [k, rewrite(v)];
        }),
      );
    }
    return value;
  };
  return {
    byName: rewrite(byName) as Record<string, Schema>,
    definitions: Object.fromEntries(
      Object.entries(definitions).map(([old, s]) => [names.get(old)!, rewrite(openRecord(old, s)) as Schema]),
    ),
  };
}

/**
 * noExtraProps closes \`Record<string, T>\` too (a map with no keys allowed): open it again
 * to values of T, for the primitive Ts the events use.
 */
function openRecord(name: string, schema: Schema): Schema {
  const value = /^Record<string,(string|number|boolean)>$/.exec(name.replace(/\s/g, ''))?.[1];
  if (name.startsWith('Record<string,') && !value)
    throw new Error(`${name}: only maps of string, number or boolean are supported`);
  return value ? { type: 'object', additionalProperties: { type: value } } : schema;
}

const clientSchema = (event: ClientEvent): Schema => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(clientEventSchemas[event], {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'any',
  }) as Schema;
  return schema;
};

const ackOf = (data: Schema): Schema => ({
  oneOf: [
    {
      type: 'object',
      properties: { ok: { const: true }, data },
      required: ['ok', 'data'],
      additionalProperties: false,
    },
    { $ref: '#/components/schemas/AckFailure' },
  ],
});

const DESCRIPTION = `Socket.IO (v4) on the API's own host, path \`/socket.io/\`, over WebSocket or long-polling.
Authenticate in the handshake: web clients send their \`${ACCESS_COOKIE}\` cookie (the Origin must be one CORS_ORIGINS allows),
apps give the access token as \`auth: { token }\`; a refused handshake's \`connect_error\` carries \`data.code\`.
Every client event is answered through its acknowledgement with \`{ ok: true, data }\` or \`{ ok: false, error: { code, message } }\`,
the same codes as the HTTP API. Events a client sends are the application's \`receive\` operations; events it is sent, \`send\`.`;

/** The whole document, as docs/asyncapi.json holds it. */
export function buildAsyncApiDocument(version: string): Schema {
  const { byName, definitions } = typeSchemas(['ServerEventPayloads', 'ClientEventAcks']);
  const serverProps = byName.ServerEventPayloads!.properties as Record<ServerEvent, Schema>;
  const ackProps = byName.ClientEventAcks!.properties as Record<ClientEvent, Schema>;
  const clientEvents = Object.keys(clientEventSchemas).sort() as ClientEvent[];
  const serverEvents = (Object.keys(serverProps) as ServerEvent[]).sort();

  const channels: Schema = {};
  const messages: Schema = {};
  const operations: Schema = {};
  const channel = (event: string) =>
    (channels[keyOf(event)] ??= { address: event, messages: {} }) as { messages: Record<string, unknown> };

  for (const event of clientEvents) {
    const key = keyOf(event);
    messages[`${key}.request`] = { name: event, title: `${event} (client to server)`, payload: clientSchema(event) };
    messages[`${key}.ack`] = { name: `${event} ack`, title: `${event} acknowledgement`, payload: ackOf(ackProps[event]!) };
    const c = channel(event);
    c.messages[`${key}.request`] = { $ref: `#/components/messages/${key}.request` };
    c.messages[`${key}.ack`] = { $ref: `#/components/messages/${key}.ack` };
    operations[`receive.${key}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${key}.request` }],
      reply: { channel: { $ref: `#/channels/${key}` }, messages: [{ $ref: `#/channels/${key}/messages/${key}.ack` }] },
    };
  }
  for (const event of serverEvents) {
    const key = keyOf(event);
    messages[`${key}.push`] = { name: event, title: `${event} (server to client)`, payload: serverProps[event] };
    channel(event).messages[`${key}.push`] = { $ref: `#/components/messages/${key}.push` };
    operations[`send.${key}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${key}.push` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: { title: 'DevTinder realtime API', version, description: DESCRIPTION },
    defaultContentType: 'application/json',
    servers: {
      development: { host: 'localhost:3000', pathname: '/socket.io/', protocol: 'ws' },
      production: {
        host: 'api.example.com',
        pathname: '/socket.io/',
        protocol: 'wss',
        security: [{ $ref: '#/components/securitySchemes/cookie' }, { $ref: '#/components/securitySchemes/token' }],
      },
    },
    channels,
    operations,
    components: {
      schemas: {
        ...definitions,
        AckFailure: {
          type: 'object',
          properties: {
            ok: { const: false },
            error: {
              type: 'object',
              properties: {
                code: {
                  type: 'string',
                  enum: (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => !PROXY_ONLY_CODES.includes(c)).sort(),
                },
                message: { type: 'string' },
                // What the code's HTTP answer carries too: a limit, the caller's own call in the way.
                details: {},
                retryAfterSeconds: { type: 'number' },
              },
              required: ['code', 'message'],
              additionalProperties: false,
            },
          },
          required: ['ok', 'error'],
          additionalProperties: false,
        },
      },
      messages,
      securitySchemes: {
        cookie: { type: 'httpApiKey', name: ACCESS_COOKIE, in: 'cookie', description: 'Web clients' },
        token: {
          type: 'apiKey',
          in: 'user',
          description: "Apps: the access token in the handshake's auth payload, io(url, { auth: { token } }); never in the URL",
        },
      },
    },
  };
}

export const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The document as the file holds it (formatted as prettier would). */
export async function asyncApiFileText(version: string): Promise<string> {
  const options = await prettier.resolveConfig(ASYNCAPI_FILE);
  return prettier.format(JSON.stringify(buildAsyncApiDocument(version)), { ...options, filepath: ASYNCAPI_FILE });
}
