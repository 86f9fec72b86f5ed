import * as z from 'zod/mini';
import type { ActionEndpointDeps } from '../../shared/actions/endpoint';
import { createActionEndpoint } from '../../shared/actions/endpoint';
import type { ActionRequest } from '../../shared/actions/http';
import '../../shared/domain/zod-locale';

/** The API Gateway HTTP API (payload format 2.0) event fields the endpoint reads. */
const eventSchema = z.looseObject({
  rawPath: z.string(),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string() }) }),
});

/** The HTTP API (payload format 2.0) answer. */
export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

/** Turns an HTTP API event into the endpoint's request; header names are lower-cased. */
export function toActionRequest(event: unknown): ActionRequest | undefined {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: e.requestContext.http.method.toUpperCase(),
    path: e.rawPath,
    headers,
    body: Buffer.from(e.body ?? '', e.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

/** Builds the action endpoint's Lambda handler (HTTP API, payload format 2.0) around injected ports. */
export function createActionHandler(deps: ActionEndpointDeps): (event: unknown) => Promise<HttpApiResult> {
  const endpoint = createActionEndpoint(deps);
  return async (event) => {
    const request = toActionRequest(event);
    if (request === undefined) {
      deps.log.error('action endpoint: the invocation is not an HTTP API event');
      return {
        statusCode: 400,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ error: { code: 'MALFORMED_REQUEST', message: 'not an HTTP request' } }),
        isBase64Encoded: false,
      };
    }
    const response = await endpoint(request);
    return {
      statusCode: response.status,
      headers: response.headers,
      body: response.body,
      isBase64Encoded: false,
    };
  };
}
