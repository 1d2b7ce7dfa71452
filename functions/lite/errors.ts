// API Lite's own error codes ("Method errors" of the API Lite documents): BPE-* for the biometric
// processor, LDE-* for liveness. The body is {"code": "BPE-002003", "message": "..."}: the documents'
// tables name the field "code" and show no other, so the readable text goes in "message".
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { ozJson } from '../api/http';

/** Which processor answers: the biometric one (/v1/face/pattern, /version) or liveness. */
export type LiteDomain = 'BPE' | 'LDE';

/** What went wrong, independent of the processor. */
export type LiteFault =
  | 'content-type' // x-002001 Invalid Content-Type of HTTP request
  | 'method' // x-002002 Invalid HTTP request method
  | 'sample' // BPE-002003 / LDE-002004 failed to read (extract) the biometric sample
  | 'template' // BPE-002004 failed to read the biometric template
  | 'part-type' // x-002005 Invalid Content-Type of the multiparted HTTP request part
  | 'no-template' // BPE-003001 failed to retrieve the biometric template
  | 'no-face' // BPE-003002 the biometric sample is missing face
  | 'many-faces' // BPE-003003 more than one person is present on the biometric sample
  | 'internal' // x-001001 internal error
  | 'tfss'; // x-001002 TFSS error: call the health method

interface CodeInfo {
  code: string;
  status: number;
  description: string;
}

const BPE: Record<LiteFault, CodeInfo> = {
  'content-type': { code: 'BPE-002001', status: 400, description: 'Invalid Content-Type of HTTP request' },
  method: { code: 'BPE-002002', status: 400, description: 'Invalid HTTP request method' },
  sample: { code: 'BPE-002003', status: 400, description: 'Failed to read the biometric sample' },
  template: { code: 'BPE-002004', status: 400, description: 'Failed to read the biometric template' },
  'part-type': { code: 'BPE-002005', status: 400, description: 'Invalid Content-Type of the multiparted HTTP request part' },
  'no-template': { code: 'BPE-003001', status: 400, description: 'Failed to retrieve the biometric template' },
  'no-face': { code: 'BPE-003002', status: 400, description: 'The biometric sample is missing face' },
  'many-faces': { code: 'BPE-003003', status: 400, description: 'More than one person is present on the biometric sample' },
  internal: { code: 'BPE-001001', status: 500, description: 'Internal bioprocessor error' },
  tfss: { code: 'BPE-001002', status: 400, description: 'TFSS error. Call the biometry health method.' },
};

// The liveness table has no template codes and no face codes: a sample without a usable face is a
// sample the processor failed to extract (LDE-002004).
const LDE: Record<LiteFault, CodeInfo> = {
  'content-type': { code: 'LDE-002001', status: 400, description: 'Invalid Content-Type of HTTP request' },
  method: { code: 'LDE-002002', status: 400, description: 'Invalid HTTP request method' },
  sample: { code: 'LDE-002004', status: 400, description: 'Failed to extract the biometric sample' },
  template: { code: 'LDE-002004', status: 400, description: 'Failed to extract the biometric sample' },
  'part-type': { code: 'LDE-002005', status: 400, description: 'Invalid Content-Type of the multiparted HTTP request part' },
  'no-template': { code: 'LDE-002004', status: 400, description: 'Failed to extract the biometric sample' },
  'no-face': { code: 'LDE-002004', status: 400, description: 'Failed to extract the biometric sample' },
  'many-faces': { code: 'LDE-002004', status: 400, description: 'Failed to extract the biometric sample' },
  internal: { code: 'LDE-001001', status: 500, description: 'Liveness detection processor internal error' },
  tfss: { code: 'LDE-001002', status: 400, description: 'TFSS error. Call the Liveness health method.' },
};

export function codeInfo(domain: LiteDomain, fault: LiteFault): CodeInfo {
  return (domain === 'BPE' ? BPE : LDE)[fault];
}

/** A client-visible API Lite failure; the code comes from the endpoint's processor. */
export class LiteError extends Error {
  constructor(
    public readonly fault: LiteFault,
    /** what exactly was wrong, e.g. 'the "sample_2" part is missing' */
    public readonly detail: string,
  ) {
    super(detail);
    this.name = 'LiteError';
  }
}

/** More than one person in a biometric sample (the vision layer itself just takes the primary face). */
export class ManyFacesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManyFacesError';
  }
}

export const liteFail = (fault: LiteFault, detail: string) => new LiteError(fault, detail);

/** {"code": ..., "message": ...}: the code comes first (clients match the body's start). */
export function liteErrorBody(domain: LiteDomain, fault: LiteFault, detail?: string): { code: string; message: string } {
  const info = codeInfo(domain, fault);
  return { code: info.code, message: detail ? `${info.description}: ${detail}` : info.description };
}

export function liteErrorResponse(domain: LiteDomain, fault: LiteFault, detail?: string): APIGatewayProxyResultV2 {
  return {
    statusCode: codeInfo(domain, fault).status,
    headers: { 'content-type': 'application/json' },
    body: ozJson(liteErrorBody(domain, fault, detail)),
  };
}

/** Errors from anywhere below an endpoint, as that endpoint's documented answer. */
export function toLiteResponse(domain: LiteDomain, err: unknown): APIGatewayProxyResultV2 {
  const known = classify(err);
  if (known) return liteErrorResponse(domain, known.fault, known.detail);
  // Logged by the pipeline's onError (functions/api/pipeline.ts).
  return liteErrorResponse(domain, 'internal');
}

/** The vision layer's and the parsers' errors, by name and code (no instanceof across bundles needed). */
export function classify(err: unknown): { fault: LiteFault; detail: string } | null {
  if (err instanceof LiteError) return { fault: err.fault, detail: err.detail };
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  switch (err.name) {
    case 'ManyFacesError':
      return { fault: 'many-faces', detail: err.message };
    case 'NoFaceError':
      return { fault: 'no-face', detail: err.message };
    case 'MediaError':
      return { fault: 'sample', detail: err.message };
    case 'TemplateError':
      return { fault: 'template', detail: err.message };
    case 'ModelError':
      return { fault: 'tfss', detail: `${err.message}${typeof code === 'string' ? ` (${code})` : ''}` };
    default:
      return null;
  }
}
