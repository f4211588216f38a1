// Connections to Temporal that fail fast: while Temporal is down a call gives up after about a
// second (a few quick retries) instead of the SDK's default of about twenty, so the API answers 503
// at once. At start, an external Temporal that is not up yet is waited for, with one clear message.
import { inspect } from 'node:util';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry } from '@temporalio/worker';

const RETRIES = makeGrpcRetryInterceptor(
  defaultGrpcRetryOptions({ maxAttempts: 4, initialIntervalMs: () => 100, maxIntervalMs: () => 400 }),
);

/** How often an unreachable Temporal is tried again at start. */
const WAIT_INTERVAL_MS = 2_000;

/** How to reach an external Temporal securely (cli/config.ts). */
export interface TemporalSecurity {
  tls?: { clientCert?: string; clientKey?: string; serverCa?: string };
  apiKey?: string;
}

export interface WaitOptions extends TemporalSecurity {
  /** Stops the waiting (Ctrl-C during start). */
  signal?: AbortSignal;
  /** Told once, when the first attempt fails. */
  onWaiting?: (reason: string) => void;
}

/** A client connection, once Temporal answers. */
export async function connectClient(address: string, options: WaitOptions = {}): Promise<Connection> {
  return untilConnected(address, options, async () => {
    const connection = await Connection.connect({
      address,
      connectTimeout: '3s',
      interceptors: [RETRIES],
      ...security(options),
    });
    try {
      await connection.withDeadline(Date.now() + 3_000, () => connection.workflowService.getSystemInfo({}));
      return connection;
    } catch (err) {
      await connection.close();
      throw err;
    }
  });
}

/** The worker's connection (Temporal is up by now; it reconnects by itself after an outage). */
export async function connectWorker(address: string, options: WaitOptions = {}): Promise<NativeConnection> {
  return untilConnected(address, options, () => NativeConnection.connect({ address, ...security(options) }));
}

function security({ tls, apiKey }: TemporalSecurity) {
  const buffer = (text?: string) => (text === undefined ? undefined : Buffer.from(text));
  return {
    ...(tls
      ? {
          tls: {
            ...(tls.serverCa ? { serverRootCACertificate: buffer(tls.serverCa)! } : {}),
            ...(tls.clientCert && tls.clientKey
              ? { clientCertPair: { crt: buffer(tls.clientCert)!, key: buffer(tls.clientKey)! } }
              : {}),
          },
        }
      : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

async function untilConnected<T>(
  address: string,
  options: WaitOptions,
  attempt: () => Promise<T>,
): Promise<T> {
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!told) {
        told = true;
        options.onWaiting?.(
          `Temporal at ${address} does not answer (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); trying again every ${WAIT_INTERVAL_MS / 1000} s. Check TEMPORAL_ADDRESS, or press Ctrl-C.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_INTERVAL_MS));
    }
  }
}

/**
 * Temporal's runtime, logging warnings of our own and errors of the SDK's core only: while
 * Temporal is down the core would print each poller's retries several times a second (/healthz
 * and the API's 503s say it instead). Signals stay ours: Ctrl-C stops the stack in order.
 */
export function installRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('WARN', logLine),
    shutdownSignals: [],
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}

/**
 * The SDK's own format, without the one warning that is by design here: the documents worker runs
 * activities only, so it polls no workflow tasks.
 */
function logLine({ level, timestampNanos, message, meta }: LogEntry): void {
  if (message.startsWith('No workflows registered')) return;
  const at = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  process.stderr.write(`${at} [${level}] ${message}${meta === undefined ? '' : ` ${inspect(meta)}`}\n`);
}
