// Sizes as Temporal counts them: UTF-8 bytes of JSON, equal to what Node's Buffer counts.
import { describe, expect, it } from 'vitest';
import { jsonBytes, utf8Bytes } from '../../model/bytes.js';

describe('UTF-8 sizes', () => {
  it("equal Buffer.byteLength for ASCII, accents, CJK, emoji and JSON's escapes", () => {
    for (const text of [
      '',
      'plain ASCII, with "quotes" and \\n',
      'Département de la Santé',
      '保健服务部',
      'targets 📈 met ✅',
      'a'.repeat(10_000) + 'é',
      JSON.stringify({ lone: '\ud800', name: 'Zoë' }),
    ]) {
      expect([text.slice(0, 20), utf8Bytes(text)]).toEqual([
        text.slice(0, 20),
        Buffer.byteLength(text, 'utf8'),
      ]);
    }
  });

  it('measures a value as its JSON payload', () => {
    const value = { unit: 'Afya ya Jamii', score: 3.25, note: 'Réussi' };
    expect(jsonBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value), 'utf8'));
  });
});
