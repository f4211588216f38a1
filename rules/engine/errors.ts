// The one error the engine throws: a rule that cannot run, with the JSON pointer of the offending node.

export type RuleErrorCode = 'invalid_rule' | 'unknown_operator' | 'malformed' | 'limit_exceeded';

export class RuleError extends Error {
  override readonly name = 'RuleError';

  constructor(
    message: string,
    readonly pointer: string,
    readonly code: RuleErrorCode = 'invalid_rule',
  ) {
    super(message);
  }
}

/** RFC 6901: "~" becomes "~0" and "/" becomes "~1" inside one reference token. */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function childPointer(parent: string, token: string | number): string {
  return `${parent}/${pointerToken(token)}`;
}
