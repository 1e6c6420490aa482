import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { asyncApiDocument, keyOf } from '../../docs/asyncapi.js';

/**
 * Every payload and ack the socket tests see, checked against docs/asyncapi.json: a server
 * event or an ack that the document does not describe (a field it lacks, a wrong type, an
 * undocumented event) is a violation. emitAck fails at once; pushes are gathered here and
 * the run fails at its end (test/support/hooks.ts) naming each one.
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
ajv.addSchema(asyncApiDocument as object, 'asyncapi');

const messages = asyncApiDocument.components.messages as Record<string, unknown>;
// Compiled up front: compiling on an event's first arrival would delay the tests' own handlers.
for (const key of Object.keys(messages)) ajv.getSchema(`asyncapi#/components/messages/${key}/payload`);

export const contractViolations: string[] = [];
let currentTest = '';
export const setCurrentTest = (title: string) => (currentTest = title);

function check(message: string, value: unknown): string | undefined {
  if (!(message in messages)) return `not in docs/asyncapi.json (${message})`;
  const validate = ajv.getSchema(`asyncapi#/components/messages/${message}/payload`)!;
  if (validate(JSON.parse(JSON.stringify(value ?? null)))) return undefined;
  return ajv.errorsText(validate.errors, { dataVar: 'payload' });
}

/** A pushed event as a client received it; a violation is remembered for the end of the run. */
export function checkPushed(event: string, payload: unknown): void {
  const problem = check(`${keyOf(event)}.push`, payload);
  if (problem) contractViolations.push(`${currentTest}: ${event}: ${problem}`);
}

/** An ack as the client received it; returns the problem, if any. */
export function ackProblem(event: string, ack: unknown): string | undefined {
  const problem = check(`${keyOf(event)}.ack`, ack);
  return problem && `${event} ack: ${problem}`;
}
