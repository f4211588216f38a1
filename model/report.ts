// A quarterly report's figures beyond the number: a comment, how sure the unit is of it, the files
// that back it, and why a figure is missing. The unit saves them as a draft as often as it likes
// and submits once; only the submission is reviewed.

export type DataQuality = 'provisional' | 'estimated' | 'verified';

/** A file uploaded for a contract (POST /api/v1/contracts/:id/evidence), named by its SHA-256. */
export interface Evidence {
  sha256: string;
  name: string;
  type: string;
  size: number;
}

/** What the unit says of one indicator's figure; every field optional in a draft. */
export interface FigureNote {
  comment?: string;
  quality?: DataQuality;
  evidence?: Evidence[];
  /** Why the figure is missing: required at submission for a figure left out or null. */
  explanation?: string;
}

export interface Figure extends FigureNote {
  actual?: number | null;
}

export interface ReportDraft {
  figures: Record<string, Figure>;
  savedAt: string;
  savedBy?: string;
}

export const MAX_EVIDENCE_PER_FIGURE = 10;
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
/** Files one contract may hold as evidence: 10 per figure is 1,000 for a year of 100 indicators. */
export const MAX_EVIDENCE_FILES = 2000;
export const MAX_NOTE_LENGTH = 2000;

/** The files a figure may be backed by, with the first bytes that show a file is one (CSV: text). */
export const EVIDENCE_TYPES: Readonly<Record<string, { extension: string; magic?: number[] }>> = {
  'application/pdf': { extension: 'pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  'image/png': { extension: 'png', magic: [0x89, 0x50, 0x4e, 0x47] },
  'image/jpeg': { extension: 'jpg', magic: [0xff, 0xd8, 0xff] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    extension: 'xlsx',
    magic: [0x50, 0x4b, 0x03, 0x04],
  },
  'application/vnd.oasis.opendocument.spreadsheet': { extension: 'ods', magic: [0x50, 0x4b, 0x03, 0x04] },
  'application/vnd.ms-excel': { extension: 'xls', magic: [0xd0, 0xcf, 0x11, 0xe0] },
  'text/csv': { extension: 'csv' },
};

/** Why `content` cannot be evidence of type `type`; undefined when it can. */
export function evidenceProblem(type: string, content: Buffer): string | undefined {
  const known = EVIDENCE_TYPES[type];
  if (!known)
    return `files of type '${type}' are not accepted; send ${Object.keys(EVIDENCE_TYPES).join(', ')}`;
  if (content.length === 0) return 'the file is empty';
  if (known.magic) {
    const matches = known.magic.every((byte, i) => content[i] === byte);
    return matches
      ? undefined
      : `the file is not a ${known.extension.toUpperCase()} file, though sent as ${type}`;
  }
  // CSV: UTF-8 text without NUL bytes.
  if (content.includes(0) || !isUtf8(content)) return 'the file is not CSV text (UTF-8)';
  return undefined;
}

function isUtf8(content: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}

const note = { type: 'string', maxLength: MAX_NOTE_LENGTH } as const;

/** Uploaded files named by the SHA-256 their upload answered (and a name). */
export const evidenceRefsSchema = {
  type: 'array',
  maxItems: MAX_EVIDENCE_PER_FIGURE,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['sha256'],
    properties: {
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      name: { type: 'string', minLength: 1, maxLength: 200 },
    },
  },
} as const;

/** A figure as the API takes it; evidence named by the SHA-256 its upload answered (and a name). */
export const figureSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actual: { type: ['number', 'null'] },
    comment: note,
    quality: { enum: ['provisional', 'estimated', 'verified'] },
    evidence: evidenceRefsSchema,
    explanation: note,
  },
} as const;

export const figuresSchema = {
  type: 'object',
  maxProperties: 100,
  propertyNames: { maxLength: 100 },
  additionalProperties: figureSchema,
} as const;
