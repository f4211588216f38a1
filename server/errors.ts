// The one place errors become HTTP responses: { errors: [ { pointer, message } ] }, never a stack.
import {
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import type { ErrorRequestHandler } from 'express';
import { CovenantError, type ErrorCode, type Issue } from '../model/errors.js';
import type { Pages } from './pages.js';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  unavailable: 503,
};

/** gRPC status codes, as Temporal's frontend answers them. */
export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const UNREACHABLE =
  'Covenant cannot reach its workflow service right now; nothing was changed. Try again shortly';

/** Maps Temporal's answers (a refused Update, an unknown workflow, an outage) to our error values. */
export function toCovenantError(err: unknown): CovenantError | undefined {
  if (err instanceof CovenantError) return err;
  if (err instanceof WorkflowNotFoundError)
    return new CovenantError('not-found', [{ pointer: '', message: 'No such contract' }]);
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new CovenantError('conflict', [
      { pointer: '/id', message: 'A contract with this id exists already' },
    ]);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    const code: ErrorCode = FAILURE_CODES[failure.type ?? ''] ?? 'conflict';
    const details = (failure.details ?? []) as (Issue & { retryAt?: string })[];
    const issues = details.map(({ pointer, message }) => ({ pointer, message }));
    // A refusal for now (too many resends) says when it will be allowed.
    const retryAt = details.find((d) => typeof d.retryAt === 'string')?.retryAt;
    const retryAfter = retryAt
      ? Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000))
      : undefined;
    return new CovenantError(
      code,
      issues.length > 0 ? issues : [{ pointer: '', message: failure.message }],
      retryAfter,
    );
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new CovenantError('unavailable', [
      {
        pointer: '',
        message:
          'The contract did not answer in time; the change may still be applied. Look at the contract before trying again',
      },
    ]);
  }
  if (databaseUnreachable(err)) {
    return new CovenantError('unavailable', [
      {
        pointer: '',
        message: 'Covenant cannot reach its database right now; nothing was changed. Try again shortly',
      },
    ]);
  }
  const status = grpcStatusOf(err);
  return status === undefined ? undefined : fromGrpcStatus(status, grpcMessage(err));
}

/** Socket errors of an unreachable server, as `pg` passes them on. */
const UNREACHABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * PostgreSQL down, restarting or unreachable: a socket error, a connection exception (SQLSTATE class
 * 08), a server shutting down or starting (57P01-57P03), or the pool giving up on a connection.
 */
function databaseUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNREACHABLE_SOCKET.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))
  )
    return true;
  const message = (err as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /^(Connection terminated|timeout exceeded when trying to connect)/.test(message)
  );
}

/** What a gRPC status from Temporal means to our caller. */
export function fromGrpcStatus(status: number, detail = ''): CovenantError {
  switch (status) {
    case GRPC.INVALID_ARGUMENT:
    case GRPC.OUT_OF_RANGE:
      return new CovenantError('invalid', [
        { pointer: '', message: `The workflow service refused the request: ${detail || 'invalid argument'}` },
      ]);
    case GRPC.NOT_FOUND:
      return new CovenantError('not-found', [{ pointer: '', message: 'No such contract' }]);
    case GRPC.ALREADY_EXISTS:
      return new CovenantError('conflict', [{ pointer: '', message: 'It exists already' }]);
    case GRPC.FAILED_PRECONDITION:
      return /already completed|closed/i.test(detail)
        ? new CovenantError('conflict', [
            { pointer: '', message: 'The contract has ended: nothing can change it' },
          ])
        : new CovenantError('unavailable', [
            { pointer: '', message: 'No Covenant worker is running for this contract; try again shortly' },
          ]);
    case GRPC.DEADLINE_EXCEEDED:
    case GRPC.RESOURCE_EXHAUSTED:
    case GRPC.ABORTED:
      return new CovenantError('unavailable', [
        { pointer: '', message: 'Covenant is busy; nothing was changed. Try again shortly' },
      ]);
    default:
      // UNAVAILABLE and the rest: the service is down, misconfigured or failing; the caller can only retry.
      return new CovenantError('unavailable', [{ pointer: '', message: UNREACHABLE }]);
  }
}

/** The gRPC status code of an error from the Temporal client, looking through its causes. */
function grpcStatusOf(err: unknown): number | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && Number.isInteger(code) && code >= 1 && code <= 16 && isGrpcError(e))
      return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isGrpcError(e: object): boolean {
  return 'metadata' in e || 'details' in e || e instanceof ServiceError;
}

function grpcMessage(err: unknown): string {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const details = (e as { details?: unknown }).details;
    if (typeof details === 'string' && details) return details.slice(0, 300);
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

/** The failure types workflows refuse with (workflows/contract/failures.ts). */
const FAILURE_CODES: Record<string, ErrorCode> = {
  invalid: 'invalid',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  conflict: 'conflict',
  'precondition-failed': 'precondition-failed',
  'too-many-requests': 'too-many-requests',
};

/** Seconds a caller should wait after a 503. */
export const RETRY_AFTER_S = 5;

export function statusOf(error: CovenantError): number {
  return STATUS[error.code];
}

/**
 * The last handler: the API (and /healthz) answers { errors }, with a JSON pointer; pages people open
 * in a browser (approval links, the web UI, documents) answer a page. A 503 carries Retry-After.
 */
export function errorHandler(pages: Pages): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = toCovenantError(err) ?? bodyParserError(err) ?? clientHttpError(err);
    if (!known) console.error(err);
    if (known?.retryAfterSeconds !== undefined) res.set('Retry-After', String(known.retryAfterSeconds));
    else if (known?.code === 'unavailable' && !res.get('Retry-After'))
      res.set('Retry-After', String(RETRY_AFTER_S));
    const status = known ? statusOf(known) : 500;
    if (req.path.startsWith('/api/') || req.path === '/healthz') {
      res.status(status).json({
        errors: known?.issues ?? [{ pointer: '', message: 'Internal error; it has been logged' }],
      });
      return;
    }
    const unavailable = known?.code === 'unavailable';
    pages.send(res, status, 'message', {
      heading: unavailable ? 'Nothing was recorded' : known ? 'This cannot be done' : 'Something went wrong',
      message: unavailable
        ? 'Covenant cannot reach a service it needs right now, so nothing was recorded. Try again in a minute: links you were sent still work.'
        : known
          ? known.issues.map((i) => i.message).join(' ')
          : 'Covenant failed on its side. Open the page again in a minute to see whether anything was recorded.',
      bad: true,
    });
  };
}

/** express.json() failures: malformed JSON, a body over the size cap, a wrong content type. */
function bodyParserError(err: unknown): CovenantError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  const type = err.type;
  if (type === 'entity.parse.failed')
    return new CovenantError('invalid', [{ pointer: '', message: 'The body is not valid JSON' }]);
  if (type === 'entity.too.large')
    return new CovenantError('too-large', [{ pointer: '', message: 'The body is too large' }]);
  if ((typeof type === 'string' && type.startsWith('entity.')) || type === 'charset.unsupported') {
    return new CovenantError('invalid', [{ pointer: '', message: 'The body cannot be read' }]);
  }
  return undefined;
}

const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'too-large',
  415: 'unsupported-media-type',
};

/** A 4xx from Express itself or express.static (a missing document, a dotfile): the client's error, not ours. */
function clientHttpError(err: unknown): CovenantError | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err) || typeof err.status !== 'number')
    return undefined;
  if (err.status < 400 || err.status > 499) return undefined;
  const message = err.status === 404 ? 'Not found' : 'The request cannot be served';
  return new CovenantError(HTTP_CODES[err.status] ?? 'invalid', [{ pointer: '', message }]);
}
