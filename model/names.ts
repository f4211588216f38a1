// Names and people as every schema checks them: keys that cannot reach Object.prototype, and a person.

/**
 * Names an object inherits from Object.prototype: as an indicator id or a criteria name they would
 * read an inherited function where a figure is expected, so the schemas refuse them.
 */
export const RESERVED_NAMES = [
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
] as const;

/** A string schema that refuses the reserved names. */
export function keyName(pattern: string) {
  return { type: 'string', pattern, not: { enum: RESERVED_NAMES } } as const;
}

export const personSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 254 },
  },
} as const;
