// How the contract workflow refuses: ApplicationFailures whose type the server maps to an HTTP
// status (server/errors.ts) and whose details carry the JSON pointer of what is wrong.
import { ApplicationFailure } from '@temporalio/workflow';

/** 409: not allowed now (at `pointer` when one field is what is out of date). */
export function conflict(message: string, pointer?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'conflict',
    message,
    nonRetryable: true,
    ...(pointer === undefined ? {} : { details: [{ pointer, message }] }),
  });
}

/** 400 at `pointer`. */
export function invalid(pointer: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'invalid',
    message,
    nonRetryable: true,
    details: [{ pointer, message }],
  });
}

/** 403: not this caller's to do. */
export function forbidden(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'forbidden', message, nonRetryable: true });
}

/** 404: the thing named does not exist. */
export function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'not-found', message, nonRetryable: true });
}

/** 429: not now; `retryAt` (ISO) says when. */
export function tooManyRequests(message: string, retryAt: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'too-many-requests',
    message,
    nonRetryable: true,
    details: [{ pointer: '', message, retryAt }],
  });
}

/** One segment of a JSON pointer (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
