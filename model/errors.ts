// Errors are values: a code the server maps to an HTTP status, and issues that point into the input.
export interface Issue {
  /** JSON pointer (RFC 6901) into the input that is wrong; '' for the whole input. */
  pointer: string;
  message: string;
}

export type ErrorCode =
  | 'invalid'
  | 'conflict'
  | 'precondition-failed'
  | 'not-found'
  | 'unauthorized'
  | 'forbidden'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'too-large'
  | 'too-many-requests'
  | 'unavailable';

export class CovenantError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly issues: Issue[],
    /** For 429 and 503: when to try again, in seconds (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; '));
    this.name = 'CovenantError';
  }
}

export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** The failure type of an email the mail relay refused for good (5xx): not retried, recorded. */
export const MAIL_REJECTED = 'mail-rejected';
/** The failure type of a PDF asked of a worker without Chromium (the caller keeps the HTML). */
export const NO_BROWSER = 'NoBrowser';
