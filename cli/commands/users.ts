// `covenant users add|list|link|disable`: the people who sign in to the web application. A sign-in
// link printed here works once, for a quarter of an hour (the first admin's, a lost mailbox's).
import { parseArgs } from 'node:util';
import { isRole, ROLES } from '../../server/auth/principal.js';
import { LINK_MINUTES, type User, type UserStore } from '../../store/users.js';
import { UsageError } from './usage-error.js';

export const USERS_USAGE = `Usage:
  covenant users add EMAIL --name NAME --role ${ROLES.join('|')} [--unit UNIT]
  covenant users list
  covenant users link EMAIL      prints a one-time sign-in link for EMAIL
  covenant users disable EMAIL   ends their sessions; they can no longer sign in`;

export async function usersCommand(
  args: string[],
  users: UserStore,
  publicUrl: string,
  print: (line: string) => void,
): Promise<void> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    if (err instanceof TypeError) throw new UsageError(err.message, USERS_USAGE);
    throw err;
  }
  const { values, positionals } = parsed;
  const email = positionals[0]?.toLowerCase();
  if (action === 'list') {
    for (const user of await users.list()) print(describe(user));
    return;
  }
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email))
    throw new UsageError("Give the person's email address.", USERS_USAGE);
  if (action === 'add') {
    if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.`, USERS_USAGE);
    if (!values.name) throw new UsageError('--name is required.', USERS_USAGE);
    const user = await users.put(
      { email, name: values.name, role: values.role, ...(values.unit ? { unit: values.unit } : {}) },
      'covenant users add',
    );
    print(`Added ${describe(user)}. They sign in at ${publicUrl}/sign-in with their email address.`);
    return;
  }
  if (action === 'link') {
    const token = await users.issueLink(email);
    if (!token) throw new UsageError(`${email} is not an enabled user: add them first.`, USERS_USAGE);
    print(`Sign-in link for ${email} (works once, for ${LINK_MINUTES} minutes):`);
    print(`${publicUrl}/sign-in/${token}`);
    return;
  }
  if (action === 'disable') {
    print(
      (await users.disable(email))
        ? `Disabled ${email}; their sessions have ended.`
        : `${email} was not an enabled user.`,
    );
    return;
  }
  throw new UsageError(action ? `Unknown users command '${action}'.` : 'Which users command?', USERS_USAGE);
}

function describe(user: User): string {
  return `${user.email}  ${user.role.padEnd(7)}  "${user.name}"${user.unit ? `  (unit "${user.unit}")` : ''}${user.disabledAt ? `  disabled ${user.disabledAt}` : ''}`;
}
