// The embedded PostgreSQL's shared libraries are found by the links its package's install script
// would make; when npm ran no install scripts, Covenant makes them itself before the first start.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hydrateLibraryLinks } from '../../cli/embedded-postgres.js';

function fakePackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'covenant-pg-package-'));
  mkdirSync(join(dir, 'native/lib'), { recursive: true });
  writeFileSync(join(dir, 'native/lib/libicuuc.so.60.2'), 'library');
  writeFileSync(join(dir, 'native/lib/libpq.so.5.18'), 'library');
  writeFileSync(
    join(dir, 'native/pg-symlinks.json'),
    JSON.stringify([
      { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so.60' },
      { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' },
    ]),
  );
  return dir;
}

describe('the embedded PostgreSQL binaries', () => {
  it('get the library links their package lists, pointing at their neighbours', () => {
    const dir = fakePackage();
    hydrateLibraryLinks(join(dir, 'native'));
    expect(readlinkSync(join(dir, 'native/lib/libicuuc.so.60'))).toBe('libicuuc.so.60.2');
    expect(readlinkSync(join(dir, 'native/lib/libpq.so.5'))).toBe('libpq.so.5.18');
  });

  it('keep links that exist and replace dangling ones', () => {
    const dir = fakePackage();
    symlinkSync('libpq.so.5.18', join(dir, 'native/lib/libpq.so.5'));
    symlinkSync('gone.so', join(dir, 'native/lib/libicuuc.so.60'));
    const before = lstatSync(join(dir, 'native/lib/libpq.so.5')).ino;
    hydrateLibraryLinks(join(dir, 'native'));
    expect(lstatSync(join(dir, 'native/lib/libpq.so.5')).ino).toBe(before);
    expect(readlinkSync(join(dir, 'native/lib/libicuuc.so.60'))).toBe('libicuuc.so.60.2');
  });

  it('are usable on this machine: the real package has every link it lists', async () => {
    const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
      initdb: string;
    };
    const native = join(binaries.initdb, '../..');
    hydrateLibraryLinks(native);
    const links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8')) as { target: string }[];
    for (const { target } of links) expect(existsSync(join(native, '..', target)), target).toBe(true);
  });
});
