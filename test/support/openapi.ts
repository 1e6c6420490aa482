import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { openApiDocument } from '../../docs/openapi.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: openApiDocument.components } as object);

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }> }>
  >;
};

/** Asserts a real response matches the schema the document gives for its path, method and status. */
export function expectDocumented(res: { status: number; body: unknown }, method: string, path: string): void {
  const op = (openApiDocument as unknown as Doc).paths[path]?.[method.toLowerCase()];
  expect(op, `${method} ${path} is documented`).to.not.equal(undefined);
  let response = op!.responses[String(res.status)];
  expect(response, `${method} ${path} documents status ${res.status}`).to.not.equal(undefined);
  if (response!.$ref) {
    const name = response!.$ref.split('/').pop()!;
    response = (openApiDocument.components.responses as Record<string, typeof response>)[name];
  }
  const schema = response!.content?.['application/json']?.schema;
  if (!schema) return;
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"openapi#/components')) as object;
  const validate = ajv.compile(rewritten);
  const ok = validate(res.body);
  expect(ok, `${method} ${path} ${res.status} body matches its schema: ${ajv.errorsText(validate.errors)}`).to.equal(true);
}
