// The one place errors become HTTP statuses: every gRPC status Temporal can answer maps to a 4xx or a
// 503 with a message a caller can act on, never a 500; a refusal from a workflow keeps its pointer.
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { fromGrpcStatus, GRPC, statusOf, toCovenantError } from '../../server/errors.js';

/** An error as @grpc/grpc-js raises it, wrapped as the Temporal client wraps it. */
function grpcError(code: number, details = 'details from the server'): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('call failed', { cause });
}

const EXPECTED: Record<keyof typeof GRPC, number> = {
  CANCELLED: 503,
  UNKNOWN: 503,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 503,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 503,
  RESOURCE_EXHAUSTED: 503,
  FAILED_PRECONDITION: 503,
  ABORTED: 503,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 503,
  INTERNAL: 503,
  UNAVAILABLE: 503,
  DATA_LOSS: 503,
  UNAUTHENTICATED: 503,
};

describe('the error mapper', () => {
  it.each(Object.entries(GRPC))('maps gRPC %s (%i) to a 4xx or a 503, with a message', (name, code) => {
    const mapped = toCovenantError(grpcError(code))!;
    expect(mapped).toBeDefined();
    expect(statusOf(mapped)).toBe(EXPECTED[name as keyof typeof GRPC]);
    expect(mapped.issues[0]!.message.length).toBeGreaterThan(10);
    expect(statusOf(fromGrpcStatus(code))).toBe(EXPECTED[name as keyof typeof GRPC]);
  });

  it('reads a raw gRPC error too (the workflow service called directly)', () => {
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'x',
      metadata: {},
    });
    expect(statusOf(toCovenantError(raw)!)).toBe(503);
  });

  it('says 409 when an Update reaches a workflow that has ended', () => {
    expect(
      statusOf(toCovenantError(grpcError(GRPC.FAILED_PRECONDITION, 'workflow execution already completed'))!),
    ).toBe(409);
  });

  it("keeps a workflow's refusal with its pointer, and a 429's time to wait", () => {
    const refusal = ApplicationFailure.create({
      type: 'invalid',
      message: 'Unknown indicator',
      nonRetryable: true,
      details: [{ pointer: '/actuals/x', message: 'Unknown indicator' }],
    });
    const invalid = toCovenantError(new WorkflowUpdateFailedError('refused', refusal))!;
    expect([statusOf(invalid), invalid.issues]).toEqual([
      400,
      [{ pointer: '/actuals/x', message: 'Unknown indicator' }],
    ]);
    const later = new Date(Date.now() + 120_000).toISOString();
    const busy = ApplicationFailure.create({
      type: 'too-many-requests',
      message: 'not yet',
      nonRetryable: true,
      details: [{ pointer: '', message: 'not yet', retryAt: later }],
    });
    const tooMany = toCovenantError(new WorkflowUpdateFailedError('refused', busy))!;
    expect(statusOf(tooMany)).toBe(429);
    expect(tooMany.issues).toEqual([{ pointer: '', message: 'not yet' }]);
    expect(tooMany.retryAfterSeconds).toBeGreaterThan(110);
  });

  it('says 503 when PostgreSQL cannot be reached, is shutting down or starting', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
    const lost = Object.assign(new Error('connection failure'), { code: '08006' });
    const ended = new Error('Connection terminated unexpectedly');
    for (const err of [refused, shutdown, starting, lost, ended]) {
      const mapped = toCovenantError(err)!;
      expect([err.message, statusOf(mapped)]).toEqual([err.message, 503]);
      expect(mapped.issues[0]!.message).toContain('cannot reach its database');
    }
    // A query that PostgreSQL refuses is a bug of ours, not an outage.
    expect(toCovenantError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBeUndefined();
  });

  it('leaves errors it does not know to the 500 handler (and its log)', () => {
    expect(toCovenantError(new TypeError('a bug'))).toBeUndefined();
  });
});
