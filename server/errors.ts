// The one place errors become HTTP responses: { errors: [ { pointer, message } ] }, never a stack.
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import type { ErrorRequestHandler } from 'express';
import { CovenantError, type ErrorCode, type Issue } from '../model/errors.js';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  unavailable: 503,
};

const FAILED_PRECONDITION = 9;

/** Maps Temporal's answers (a refused Update, an unknown workflow) to our error values. */
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
    const code: ErrorCode =
      failure.type === 'invalid' || failure.type === 'forbidden' ? failure.type : 'conflict';
    const details = (failure.details ?? []) as Issue[];
    return new CovenantError(
      code,
      details.length > 0 ? details : [{ pointer: '', message: failure.message }],
    );
  }
  if (
    err instanceof ServiceError &&
    (err.cause as { code?: number } | undefined)?.code === FAILED_PRECONDITION
  ) {
    return new CovenantError('unavailable', [
      { pointer: '', message: 'No Covenant worker is running for this contract; try again shortly' },
    ]);
  }
  return undefined;
}

export function statusOf(error: CovenantError): number {
  return STATUS[error.code];
}

export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) return next(err);
  const known = toCovenantError(err) ?? bodyParserError(err) ?? clientHttpError(err);
  if (known) {
    res.status(statusOf(known)).json({ errors: known.issues });
    return;
  }
  console.error(err);
  res.status(500).json({ errors: [{ pointer: '', message: 'Internal error; it has been logged' }] });
};

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
