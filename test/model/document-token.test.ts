import { describe, expect, it } from 'vitest';
import { signDocumentToken, signDocumentUrl, verifyDocumentToken } from '../../model/document-token.js';
import { signApprovalToken } from '../../model/approval-token.js';

const secret = 'a-test-secret-of-at-least-thirty-two-characters';
const path = '/documents/PC-1/y1-Q1-review.html';

describe('document links', () => {
  it('open the document they were signed for until they expire', () => {
    const url = signDocumentUrl(path, secret, 2_000_000);
    expect(url).toMatch(/^\/documents\/PC-1\/y1-Q1-review\.html\?token=[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    const token = new URL(url, 'http://localhost').searchParams.get('token')!;
    expect(verifyDocumentToken(path, token, secret, 1_999_999)).toBe('ok');
    expect(verifyDocumentToken(path, token, secret, 2_000_001)).toBe('expired');
  });

  it('refuse another document, another key, a longer life, an approval signature and garbage', () => {
    const token = signDocumentToken(path, secret, 2_000_000);
    expect(verifyDocumentToken('/documents/PC-2/y1-Q1-review.html', token, secret, 0)).toBe('signature');
    expect(verifyDocumentToken(path, token, 'another-secret-of-at-least-thirty-two-chars', 0)).toBe(
      'signature',
    );
    const [, signature] = token.split('.');
    expect(verifyDocumentToken(path, `${(9_999_999_999).toString(36)}.${signature}`, secret, 0)).toBe(
      'signature',
    );
    const approval = signApprovalToken(
      { contractId: 'PC-1', approvalId: 'a', revision: 1, approver: 'x@y.example', expiresAt: 2_000_000 },
      secret,
    );
    expect(verifyDocumentToken(path, approval, secret, 0)).toBe('malformed');
    for (const garbage of ['', '.', 'abc', `${token}x`, token.replace('.', '')])
      expect(verifyDocumentToken(path, garbage, secret, 0)).not.toBe('ok');
  });
});
