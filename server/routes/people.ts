// The people who sign in, managed by the performance office from the web application: add a
// person or change their role, unit or name; disable them (their sessions end). Forms that work
// without script; a wrong field is marked on the page and nothing changes.
import { Router } from 'express';
import { CovenantError } from '../../model/errors.js';
import { validator } from '../../model/validation.js';
import type { UserStore } from '../../store/users.js';
import { principalOf } from '../auth/access.js';
import { ROLES, type Role } from '../auth/principal.js';
import type { Pages } from '../pages.js';

interface PersonForm {
  email: string;
  name: string;
  role: Role;
  unit?: string;
}

const checkPerson = validator<PersonForm>({
  type: 'object',
  required: ['email', 'name', 'role'],
  properties: {
    email: { type: 'string', maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    role: { enum: ROLES },
    unit: { type: 'string', minLength: 1, maxLength: 300 },
  },
});

export function peopleRoutes(users: UserStore, pages: Pages): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const done =
      typeof req.query.saved === 'string'
        ? `Saved ${req.query.saved}.`
        : typeof req.query.disabled === 'string'
          ? `Disabled ${req.query.disabled}: their sessions have ended.`
          : undefined;
    pages.send(res, 200, 'people', { people: await users.list(), roles: ROLES, form: {}, done });
  });

  router.post('/', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const given = Object.fromEntries(
      ['email', 'name', 'role', 'unit'].flatMap((k) => (body[k]?.trim() ? [[k, body[k].trim()]] : [])),
    );
    let person: PersonForm;
    try {
      person = checkPerson(given);
      if (person.role === 'unit' && !person.unit) {
        throw new CovenantError('invalid', [
          { pointer: '/unit', message: "is required for a unit: the unit's name as in its contracts" },
        ]);
      }
    } catch (err) {
      if (!(err instanceof CovenantError)) throw err;
      return pages.send(res, 400, 'people', {
        people: await users.list(),
        roles: ROLES,
        form: given,
        errors: Object.fromEntries(
          err.issues.map((i) => [i.pointer.replace(/^\//, '') || 'form', i.message]),
        ),
      });
    }
    await users.put(person, principalOf(req)?.email ?? principalOf(req)?.name);
    res.redirect(303, `/people?saved=${encodeURIComponent(person.email.toLowerCase())}`);
  });

  router.post('/:email/disable', async (req, res) => {
    const email = String(req.params.email).toLowerCase();
    if (email === principalOf(req)?.email?.toLowerCase()) {
      return pages.send(res, 400, 'message', {
        heading: 'Not disabled',
        message: 'You cannot disable yourself: ask another admin.',
        bad: true,
        link: { href: '/people', text: 'Back to the people' },
      });
    }
    await users.disable(email);
    res.redirect(303, `/people?disabled=${encodeURIComponent(email)}`);
  });

  return router;
}
