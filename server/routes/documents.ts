// Stored documents, by key: /documents/<contract id>/<name>. The key is checked as the document
// store checks it (letters, digits, '.', '_', '-' per segment, no dot segments), so the contract the
// scope check saw in the first segment is the folder the file is read from.
import { Router } from 'express';
import { DocumentStore } from '../../activities/documents.js';
import { CovenantError } from '../../model/errors.js';

export function documentRoutes(documentsDir: string): Router {
  const router = Router();
  const store = new DocumentStore(documentsDir);

  router.get('/*path', (req, res, next) => {
    const segments = req.params.path;
    let file: string;
    try {
      file = store.pathOf(segments.join('/'));
    } catch {
      throw new CovenantError('not-found', [{ pointer: '', message: 'No such document' }]);
    }
    res.sendFile(
      file,
      { dotfiles: 'deny', headers: { 'content-type': 'text/html; charset=utf-8' } },
      (err) => {
        if (err) next(err);
      },
    );
  });
  return router;
}
