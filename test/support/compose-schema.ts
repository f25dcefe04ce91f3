import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

// The official Compose Specification schema (copied from ../shared/schemas/compose-spec.json).
const raw = JSON.parse(
  readFileSync(new URL('../fixtures/compose-spec.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
// ajv knows draft-07 as its default meta-schema under another URI; the schema itself is unchanged
const { $schema: _metaSchema, ...schema } = raw;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(schema);

/** Errors of a parsed compose document against the Compose Specification, as readable lines. */
export function composeSchemaErrors(doc: unknown): string[] {
  return validate(doc)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
