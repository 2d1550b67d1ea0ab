import { readFileSync } from 'node:fs';

/** The subset of JSON Schema (draft 2020-12, as zod emits it) the generator understands. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  example?: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

/** One operation of the committed OpenAPI document. */
export interface Operation {
  /** "POST /v1/plants/{plant}/quotes" */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  params: Parameter[];
  body?: { required: boolean; schema: JsonSchema };
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
        responses?: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
}

/** Reads every operation from openapi/openapi.json (kept current by test/http/openapi.test.ts). */
export function loadOperations(file = new URL('../../openapi/openapi.json', import.meta.url)): Operation[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      // An event stream stays open, so app.inject would wait for ever (test/http/web-event-stream.test.ts covers it).
      if (op.responses?.['200']?.content?.['text/event-stream']) continue;
      const upper = method.toUpperCase() as Operation['method'];
      const json = op.requestBody?.content['application/json'];
      ops.push({
        key: `${upper} ${path}`,
        method: upper,
        path,
        params: (op.parameters ?? []).map((p) => ({ ...p, required: p.required ?? false })),
        ...(json ? { body: { required: op.requestBody?.required ?? false, schema: json.schema } } : {}),
      });
    }
  }
  return ops;
}

/** The longest value a path parameter's schema accepts (maxLength, or the bound of a `{0,n}` pattern). */
export function longestAccepted(schema: JsonSchema): number {
  if (schema.maxLength !== undefined) return schema.maxLength;
  const bound = /\{0,(\d+)\}\$$/.exec(schema.pattern ?? '');
  if (bound) return Number(bound[1]) + 1;
  if (schema.format === 'uuid') return 36;
  return Infinity;
}
