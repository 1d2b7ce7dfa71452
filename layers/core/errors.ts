// The documented error body {error_code, error_message, details} and the codes of "API Error Codes".
export const ErrorCode = {
  UNKNOWN: 0,
  NOT_ALLOWED: 1,
  NOT_REALIZED: 2,
  INVALID_STRUCTURE: 3,
  INVALID_VALUE: 4,
  INVALID_TYPE: 5,
  AUTH_NOT_PROVIDED: 6,
  AUTH_INVALID: 7,
  AUTH_EXPIRED: 8,
  AUTH_FORBIDDEN: 9,
  NOT_EXIST: 10,
  EXTERNAL_SERVICE: 11,
  DATABASE: 12,
  // Analysis-level codes from "Tag-Related Errors".
  TAG_ERROR: 202,
  USER_BLOCKED: 1401,
  // Extensions in the same style (1000 + the HTTP status): a spent monthly quota, and throttling.
  QUOTA_EXCEEDED: 1402,
  RATE_LIMITED: 1429,
  // Analyses that could not end on their own (README "No analysis left behind"): the worker stopped
  // at its deadline on the last attempt; the last attempt ended without a result (the dead-letter
  // consumer); PROCESSING longer than the documented bound (the sweeper).
  ANALYSIS_TIMED_OUT: 1504,
  ANALYSIS_WORKER_LOST: 1500,
  ANALYSIS_STUCK: 1408,
} as const;

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: number,
    message: string,
    public readonly details: unknown = null,
  ) {
    super(message);
  }
}

export const badStructure = (message: string, details: unknown = null) =>
  new ApiError(400, ErrorCode.INVALID_STRUCTURE, message, details);
export const badValue = (message: string, details: unknown = null) =>
  new ApiError(400, ErrorCode.INVALID_VALUE, message, details);
export const badType = (message: string, details: unknown = null) =>
  new ApiError(400, ErrorCode.INVALID_TYPE, message, details);
export const notFound = (what: string) => new ApiError(404, ErrorCode.NOT_EXIST, `${what} not found`);
export const forbidden = (message = 'Access denied for the current user') =>
  new ApiError(403, ErrorCode.AUTH_FORBIDDEN, message);
export const authMissing = () =>
  new ApiError(401, ErrorCode.AUTH_NOT_PROVIDED, 'Access token is not provided: send it in the X-Forensic-Access-Token header');
export const authInvalid = (message = 'Access token is invalid') => new ApiError(401, ErrorCode.AUTH_INVALID, message);
export const authExpired = () => new ApiError(401, ErrorCode.AUTH_EXPIRED, 'Access token has expired: refresh it or authorize again');
export const notAllowed = (method: string) => new ApiError(405, ErrorCode.NOT_ALLOWED, `Method ${method} is not allowed here`);

export function errorBody(err: ApiError): { error_code: number; error_message: string; details: unknown } {
  return { error_code: err.code, error_message: err.message, details: err.details };
}
