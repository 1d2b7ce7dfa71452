// CORS for browser callers of the API and API Lite (API Lite changelog 08.2021). Off unless origins
// are configured: OZ_CORS_ORIGINS (or `-c corsOrigins=...`) is a comma-separated list of origins,
// or "*". The CDK app puts it on the HTTP API (API Gateway then answers preflights itself and adds
// the headers to every answer); the local runtime reads the same configuration from the template
// and does what API Gateway does, so the two cannot drift.

/** The request headers a browser may send: the token header, and what uploads and API Lite use. */
export const CORS_ALLOW_HEADERS = ['content-type', 'x-forensic-access-token', 'content-transfer-encoding', 'authorization'];
/** Answer headers a script may read (Retry-After on 429). */
export const CORS_EXPOSE_HEADERS = ['retry-after', 'content-disposition'];
export const CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const CORS_MAX_AGE_SECONDS = 3600;

/** Parses OZ_CORS_ORIGINS: null (CORS off), ["*"], or exact origins (scheme://host[:port], no path). */
export function parseCorsOrigins(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of origins) {
    if (o === '*') continue;
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new Error(`OZ_CORS_ORIGINS: "${o}" is not an origin such as https://app.example.com`);
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== o) throw new Error(`OZ_CORS_ORIGINS: "${o}" must be exactly scheme://host[:port], e.g. https://app.example.com`);
  }
  if (origins.includes('*') && origins.length > 1) throw new Error('OZ_CORS_ORIGINS: "*" stands alone');
  return origins;
}

/** The template's CorsConfiguration of an AWS::ApiGatewayV2::Api (what the local runtime follows). */
export interface CorsConfiguration {
  AllowOrigins?: string[];
  AllowMethods?: string[];
  AllowHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

/**
 * What API Gateway answers for CORS: for a preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) the whole answer, 204; otherwise the headers to add to the answer.
 * An origin not allowed gets no CORS header (the browser then refuses the answer).
 */
export function corsHeaders(config: CorsConfiguration | undefined, method: string, headers: Record<string, string | undefined>): { preflight: boolean; headers: Record<string, string> } {
  const origin = headers['origin'];
  const preflight = !!config && method === 'OPTIONS' && !!origin && !!headers['access-control-request-method'];
  if (!config || !origin) return { preflight, headers: {} };
  const allowed = (config.AllowOrigins ?? []).some((o) => o === '*' || o.toLowerCase() === origin.toLowerCase());
  if (!allowed) return { preflight, headers: {} };
  const out: Record<string, string> = { 'access-control-allow-origin': config.AllowOrigins!.includes('*') ? '*' : origin, vary: 'Origin' };
  if (preflight) {
    out['access-control-allow-methods'] = (config.AllowMethods ?? []).join(',');
    out['access-control-allow-headers'] = (config.AllowHeaders ?? []).join(',');
    if (config.MaxAge !== undefined) out['access-control-max-age'] = String(config.MaxAge);
  } else if (config.ExposeHeaders?.length) {
    out['access-control-expose-headers'] = config.ExposeHeaders.join(',');
  }
  return { preflight, headers: out };
}
