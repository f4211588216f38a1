// The document store: rendered documents as files under one folder, addressed by key.
// Storing is idempotent: the same key always lands at the same path, written atomically.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export class DocumentStore {
  constructor(readonly root: string) {}

  /** Writes a document and returns its path relative to the store, e.g. "PC-1/y1-Q1-review.html". */
  async put(key: string, content: string): Promise<string> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, content, { encoding: 'utf8', mode: 0o600 });
    await rename(temporary, path);
    return key;
  }

  /** The file behind a key, or undefined when the key could escape the store. */
  pathOf(key: string): string {
    if (!KEY.test(key) || key.split('/').some((s) => s === '..' || s === '.'))
      throw new Error(`Invalid document key ${key}`);
    const path = resolve(join(this.root, key));
    if (!path.startsWith(resolve(this.root) + sep)) throw new Error(`Invalid document key ${key}`);
    return path;
  }
}
