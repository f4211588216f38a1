// Sizes as Temporal counts them: payloads are JSON in UTF-8, limited in bytes (warned at 256 KB,
// refused at 2 MB). Pure: workflows measure their own state with it.

/** Any character outside ASCII (which UTF-8 writes in one byte each). */
// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included.
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Bytes of a string in UTF-8. Workflows measure their state at every turn of their loop: the common
 * all-ASCII case is answered by a native regular expression, not a loop over every character.
 */
export function utf8Bytes(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of a value as a JSON payload. */
export function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? '');
}
