// Files posted by the application's forms (multipart/form-data): held in memory, at most the
// evidence limits, and parsed before the CSRF check reads the form's fields. A file over the limit
// stops the request with a 413 naming its field.
import type { RequestHandler } from 'express';
import multer from 'multer';
import { CovenantError } from '../model/errors.js';
import { MAX_EVIDENCE_BYTES } from '../model/report.js';

/** Files one form may carry at once. */
export const FILES_PER_FORM = 10;

export function formUploads(): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_EVIDENCE_BYTES, files: FILES_PER_FORM, fields: 450, fieldSize: 16 * 1024 },
  }).any();
  return (req, res, next) => {
    parse(req, res, (err: unknown) => {
      if (!(err instanceof multer.MulterError)) return next(err);
      const field = err.field ? `/${err.field}` : '';
      if (err.code === 'LIMIT_FILE_SIZE') {
        return next(
          new CovenantError('too-large', [
            { pointer: field, message: `A file is at most ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB.` },
          ]),
        );
      }
      const message =
        err.code === 'LIMIT_FILE_COUNT'
          ? `At most ${FILES_PER_FORM} files at once.`
          : `The form could not be read: ${err.message}.`;
      next(new CovenantError('invalid', [{ pointer: field, message }]));
    });
  };
}
