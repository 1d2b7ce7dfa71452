// Errors the client raises. Every non-2xx answer becomes an OzApiError carrying the documented
// {error_code, error_message, details}, so callers can branch on codes, not on message text.

export class OzApiError extends Error {
  override readonly name = 'OzApiError';
  constructor(
    readonly status: number,
    /** The documented code (layers/core/errors.ts on the server); 0 when the answer had none. */
    readonly error_code: number,
    readonly error_message: string,
    readonly details: unknown = null,
    readonly method = '',
    readonly path = '',
  ) {
    super(`${method} ${path} answered ${status} (error_code ${error_code}): ${error_message}`.trim());
  }
}

/** A wait (polling or webhook) that ran past its timeout; the analyses may still finish later. */
export class OzTimeoutError extends Error {
  override readonly name = 'OzTimeoutError';
  constructor(
    message: string,
    readonly pending: string[],
  ) {
    super(message);
  }
}

/** Turns an answer that is not 2xx into an OzApiError, whatever its body looks like. */
export function errorFromAnswer(status: number, text: string, method: string, path: string): OzApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b['error_code'] === 'number' || typeof b['error_message'] === 'string') {
    return new OzApiError(status, Number(b['error_code'] ?? 0), String(b['error_message'] ?? ''), b['details'] ?? null, method, path);
  }
  // Not the documented body (a gateway's {"message": ...}, an HTML page): keep what it said.
  const message = typeof b['message'] === 'string' ? b['message'] : text.slice(0, 300) || `HTTP ${status}`;
  return new OzApiError(status, 0, message, null, method, path);
}
