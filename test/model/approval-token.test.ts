import { describe, expect, it } from 'vitest';
import { signApprovalToken, verifyApprovalToken } from '../../model/approval-token.js';

const secret = 'a-test-secret-of-at-least-thirty-two-characters';
const claims = {
  contractId: 'PC-1',
  approvalId: 'y1-r2-sign-unit',
  revision: 2,
  approver: 'b@unit.example',
  expiresAt: 2_000_000,
};

describe('approval tokens', () => {
  it('verifies a token it signed, with its claims', () => {
    expect(verifyApprovalToken(signApprovalToken(claims, secret), secret, 1_000_000)).toEqual({
      ok: true,
      claims,
    });
  });

  it('refuses an expired token, a foreign key, an altered or a truncated token', () => {
    const token = signApprovalToken(claims, secret);
    expect(verifyApprovalToken(token, secret, 2_000_001)).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyApprovalToken(token, 'another-secret-of-at-least-thirty-two-chars', 0)).toMatchObject({
      ok: false,
      reason: 'signature',
    });
    const forged =
      signApprovalToken({ ...claims, approvalId: 'y1-r2-sign-principal' }, secret).split('.')[0] +
      '.' +
      token.split('.')[1];
    expect(verifyApprovalToken(forged, secret, 0)).toMatchObject({ ok: false, reason: 'signature' });
    expect(verifyApprovalToken(token.slice(0, -1), secret, 0)).toMatchObject({
      ok: false,
      reason: 'signature',
    });
    expect(verifyApprovalToken(token.split('.')[0]!, secret, 0)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyApprovalToken('', secret, 0)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
