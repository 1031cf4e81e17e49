/**
 * The report's JSON Schema (schema/report.schema.json), checked with Ajv, a
 * real JSON Schema validator (draft 2020-12), against every report the suite
 * produces: a report a test reads is validated before it is used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

const SCHEMA_FILE = path.resolve(import.meta.dirname, '../../schema/report.schema.json');

// ISO 8601 as Date.prototype.toISOString writes it; Ajv leaves formats to the caller (ajv-formats) and strict mode requires them known.
const ajv = new Ajv2020({
  strict: true,
  allErrors: true,
  formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/ },
});
const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as object);

/** Throws with every violation when `report` (a parsed JSON report, or a Report object) does not match the schema. */
export function expectValidReport<T>(report: T): T {
  // A Report object goes through JSON first, as a reader of the file would see it (undefined fields vanish).
  const parsed: unknown = JSON.parse(JSON.stringify(report));
  if (!validate(parsed)) {
    throw new Error(`report does not match ${SCHEMA_FILE}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }
  return report;
}
