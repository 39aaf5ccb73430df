import type { IncomingMessage } from 'node:http';

/** Bigger than any seed entry or login write; a body above it is refused before it is parsed. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class BodyError extends Error {
  readonly status: 400 | 413 | 415;

  // No parameter properties here: Node's type stripping cannot run them (see medplum-schema.ts).
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'BodyError';
    this.status = status;
  }
}

export interface ParsedBody {
  /** What Medplum's router expects in `FhirRequest.body`: a resource, a patch, or a form record. */
  value: unknown;
  /** The raw form text of a `_search` POST, for checking its parameter names. */
  form?: string;
}

/**
 * Reads and parses a request body: FHIR JSON (R4 http.html#mime-type accepts `application/fhir+json` and
 * `application/json`), JSON Patch, or the form body of a search by POST (R4 http.html#search, whose
 * parameters Medplum wants as a record, repeated names as arrays).
 */
export async function readBody(request: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return { value: undefined };
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return { value: formRecord(text), form: text };
  if (type === 'application/fhir+json' || type === 'application/json' || type === 'application/json-patch+json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      throw new BodyError(400, 'request body is not valid JSON');
    }
  }
  throw new BodyError(415, 'unsupported content type');
}

function formRecord(text: string): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = record[name];
    record[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return record;
}
