/** The action endpoint's view of HTTP: a request with its raw body, and the answer. */

/** One request as the endpoint sees it; header names are lower-case. */
export interface ActionRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body as bytes arrived (signatures are over these bytes). */
  readonly body: Buffer;
}

/** The answer. */
export interface ActionResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A refusal: the status and a stable code say what was wrong; nothing was changed. */
export class ActionRejection extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRejection';
  }
}

const NO_STORE = { 'cache-control': 'no-store' };

/** A JSON answer. */
export function json(status: number, body: unknown): ActionResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE },
    body: JSON.stringify(body),
  };
}

/** The JSON answer of a refusal: `{"error":{"code","message"}}`. */
export function rejectionJson(rejection: ActionRejection): ActionResponse {
  return json(rejection.status, { error: { code: rejection.code, message: rejection.message } });
}
