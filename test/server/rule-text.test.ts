import { describe, expect, it } from 'vitest';
import { locate, syntaxErrors } from '../../server/rule-text.js';

describe("a rule's text", () => {
  const text = '{"if": [\n  {"<=": [{"var": "composit"}, 2.4]},\n  "Excellent", "a/b~c"\n]}';

  it('places a pointer inside the rule at its characters, line and column', () => {
    expect(locate(text, '/if/0/<=/0')).toEqual({
      offset: 19,
      length: 19,
      line: 2,
      column: 11,
      excerpt: '{"var": "composit"}',
    });
    expect(locate(text, '')?.offset).toBe(0);
    expect(locate(text, '/if/7')).toBeUndefined();
    expect(locate('{"a/b": {"~x": 1}}', '/a~1b/~0x')?.excerpt).toBe('1');
  });

  it('says where JSON is broken', () => {
    expect(syntaxErrors(text)).toEqual([]);
    const [error] = syntaxErrors('{"if": [1,\n 2');
    expect(error!.message).toBe('Not JSON: close bracket expected.');
    expect([error!.place.line, error!.place.column]).toEqual([2, 3]);
  });
});

describe('a rule text nested too deep', () => {
  it('is refused with its place, without overflowing the parser', () => {
    const deep = '['.repeat(6000) + ']'.repeat(6000);
    const [error] = syntaxErrors(deep);
    expect(error!.message).toBe('Nested more than 200 levels deep.');
    expect(error!.place.offset).toBe(200);
    expect(locate(deep, '/0')).toBeUndefined();
    expect(syntaxErrors('{"a": "[[[[' + '['.repeat(300) + '"}')).toEqual([]);
  });
});
