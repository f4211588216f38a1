// A rule typed as JSON text, checked where it stands: each of the validator's diagnostics (a JSON
// pointer inside the rule) and each syntax error placed at its characters in the text, so the raw
// editor can select the place (and, without script, quote it).
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

export interface Place {
  offset: number;
  length: number;
  /** Line and column, from 1. */
  line: number;
  column: number;
  /** The text there, cut to 60 characters. */
  excerpt: string;
}

/** Nesting deeper than any rule may be (the engine refuses far less): the parser recurses per level. */
const MAX_DEPTH = 200;

/** JSON's syntax errors with their places; empty when the text is JSON. */
export function syntaxErrors(text: string): { message: string; place: Place }[] {
  const deep = tooDeep(text);
  if (deep !== undefined)
    return [{ message: `Nested more than ${MAX_DEPTH} levels deep.`, place: placeOf(text, deep, 1) }];
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  return errors.slice(0, 1).map((e) => ({
    message: `Not JSON: ${words(printParseErrorCode(e.error))}`,
    place: placeOf(text, e.offset, Math.max(e.length, 1)),
  }));
}

/** Where a JSON pointer (inside the rule: "/if/2/round/0") is in the rule's text. */
export function locate(text: string, pointer: string): Place | undefined {
  if (tooDeep(text) !== undefined) return undefined;
  const root = parseTree(text, [], { disallowComments: true });
  if (!root) return undefined;
  const segments = pointer === '' ? [] : pointer.split('/').slice(1).map(unescape);
  let node: Node | undefined = root;
  for (const segment of segments) {
    if (!node) return undefined;
    node = findNodeAtLocation(node, [node.type === 'array' ? Number(segment) : segment]);
  }
  return node && placeOf(text, node.offset, node.length);
}

/** Where the text first opens more than MAX_DEPTH brackets (strings skipped), if it does. */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === ']' || c === '}') depth--;
  }
  return undefined;
}

function placeOf(text: string, offset: number, length: number): Place {
  const before = text.slice(0, offset).split('\n');
  const excerpt = text.slice(offset, offset + length).replace(/\s+/g, ' ');
  return {
    offset,
    length,
    line: before.length,
    column: before.at(-1)!.length + 1,
    excerpt: excerpt.length > 60 ? `${excerpt.slice(0, 59)}…` : excerpt,
  };
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** "CloseBraceExpected" → "a close brace expected". */
function words(code: string): string {
  return `${code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}.`;
}
