// Stored documents, by key: /documents/<contract id>/<name>. The key is checked as the store checks
// it (letters, digits, '.', '_', '-' per segment, no dot segments), so the contract the scope check
// saw in the first segment is the one whose document is read.
import { Router } from 'express';
import { CovenantError } from '../../model/errors.js';
import { isDocumentKey, type BlobStore } from '../../store/blobs.js';

export function documentRoutes(documents: BlobStore): Router {
  const router = Router();
  router.get('/*path', async (req, res) => {
    const key = req.params.path.join('/');
    const found = isDocumentKey(key) ? await documents.get(key) : undefined;
    if (!found) throw new CovenantError('not-found', [{ pointer: '', message: 'No such document' }]);
    // Uploaded evidence is the unit's file, not a page of ours: downloaded, never rendered here.
    if (key.split('/')[1] === 'evidence') res.attachment(found.name ?? key.split('/').at(-1));
    res.type(found.contentType).set('ETag', `"${found.sha256}"`).send(found.content);
  });
  return router;
}
