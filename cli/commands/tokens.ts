// `covenant tokens create|list|revoke`: API tokens for the roles admin, manager, unit and viewer.
// A new token is printed once; only its hash is kept, so a lost token is revoked and replaced.
import { parseArgs } from 'node:util';
import { issueToken } from '../../server/auth/api-tokens.js';
import { isRole, ROLES } from '../../server/auth/principal.js';
import type { StoredToken, TokenStore } from '../../store/tokens.js';
import { UsageError } from './usage-error.js';

export const TOKENS_USAGE = `Usage:
  covenant tokens create --role ${ROLES.join('|')} --name NAME [--email EMAIL] [--unit UNIT]
      manager: --email is the address listed in the contracts' managers
      unit:    --unit is the unit's name as in its contracts, or --email its signatory's address
  covenant tokens list [--json]
  covenant tokens revoke ID_OR_NAME`;

export async function tokensCommand(
  args: string[],
  store: TokenStore,
  print: (line: string) => void,
): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'create') return create(rest, store, print);
  if (action === 'list') return list(rest, store, print);
  if (action === 'revoke') return revoke(rest, store, print);
  throw new UsageError(
    action ? `Unknown tokens command '${action}'.` : 'Which tokens command?',
    TOKENS_USAGE,
  );
}

async function create(args: string[], store: TokenStore, print: (line: string) => void): Promise<void> {
  const { values } = parse(args, {
    role: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    unit: { type: 'string' },
  });
  const { role, name, email, unit } = values as Partial<Record<string, string>>;
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.`, TOKENS_USAGE);
  if (!name) throw new UsageError('--name is required.', TOKENS_USAGE);
  const { token, record } = await issueToken(store, {
    role,
    name,
    ...(email ? { email } : {}),
    ...(unit ? { unit } : {}),
  });
  print(`Created ${describe(record)}.`);
  print('The token is shown this once and stored only as a hash:');
  print('');
  print(token);
  print('');
  print('Send it as the header  Authorization: Bearer <token>');
}

async function list(args: string[], store: TokenStore, print: (line: string) => void): Promise<void> {
  const { values } = parse(args, { json: { type: 'boolean' } });
  // Hashes stay in the file: they are not secrets, but nobody needs them on a screen.
  const tokens = (await store.list()).map(({ hash: _hash, ...rest }) => rest);
  if (values.json) return print(JSON.stringify(tokens, null, 2));
  if (tokens.length === 0) return print('No API tokens yet.');
  for (const token of tokens) print(describe(token));
}

async function revoke(args: string[], store: TokenStore, print: (line: string) => void): Promise<void> {
  const { positionals } = parse(args, {}, true);
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new UsageError('Name one token to revoke.', TOKENS_USAGE);
  const revoked = await store.revoke(target, new Date().toISOString());
  if (!revoked) throw new UsageError(`No active token with id or name '${target}'.`);
  print(`Revoked ${describe(revoked)}. Requests with it are refused from now on.`);
}

function describe(token: Omit<StoredToken, 'hash'>): string {
  const binding = [token.email, token.unit && `unit "${token.unit}"`].filter(Boolean).join(', ');
  const state = token.revokedAt ? `revoked ${token.revokedAt}` : `created ${token.createdAt}`;
  return `${token.id}  ${token.role.padEnd(7)}  "${token.name}"${binding ? `  (${binding})` : ''}  ${state}`;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(args: string[], options: Options, allowPositionals = false) {
  try {
    return parseArgs({ args, options: options ?? {}, allowPositionals, strict: true });
  } catch (err) {
    // parseArgs reports unknown or malformed options as TypeErrors with a readable message.
    if (err instanceof TypeError) throw new UsageError(err.message, TOKENS_USAGE);
    throw err;
  }
}
