// Evidence for reported figures: files (PDF, images, spreadsheets, CSV) uploaded for a contract,
// checked to be what their type says, stored once by their SHA-256 under
// /documents/<contract id>/evidence/<sha256>; a figure names them by that hash.
import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import { CovenantError, pointer } from '../../model/errors.js';
import {
  EVIDENCE_TYPES,
  evidenceProblem,
  MAX_EVIDENCE_BYTES,
  MAX_EVIDENCE_FILES,
  type Evidence,
  type Figure,
} from '../../model/report.js';
import type { BlobStore } from '../../store/blobs.js';

/** What a figure's evidence looks like in a request: the hash its upload answered, and a name. */
export interface EvidenceRef {
  sha256: string;
  name?: string;
}

export function evidenceKey(contractId: string, sha256: string): string {
  return `${contractId}/evidence/${sha256}`;
}

export function evidenceRoutes(documents: BlobStore, publicUrl: string): Router {
  const router = Router();
  router.post(
    '/:id/evidence',
    express.raw({ type: () => true, limit: MAX_EVIDENCE_BYTES }),
    async (req, res) => {
      const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const name =
        typeof req.query.name === 'string' && req.query.name.trim() ? req.query.name.trim() : undefined;
      const stored = await storeEvidence(documents, req.params.id, type, content, name);
      res
        .status(201)
        .json({ ...stored, url: `${publicUrl}/documents/${evidenceKey(req.params.id, stored.sha256)}` });
    },
  );
  return router;
}

/**
 * Checks a file is what its type says and stores it once by its SHA-256 for the contract (at most
 * MAX_EVIDENCE_FILES a contract); refused with a CovenantError saying why.
 */
export async function storeEvidence(
  documents: BlobStore,
  contractId: string,
  type: string,
  content: Buffer,
  name?: string,
): Promise<Evidence> {
  const problem = evidenceProblem(type, content);
  if (problem) {
    throw new CovenantError(EVIDENCE_TYPES[type] ? 'invalid' : 'unsupported-media-type', [
      { pointer: '', message: problem },
    ]);
  }
  const sha256 = createHash('sha256').update(content).digest('hex');
  const key = evidenceKey(contractId, sha256);
  if (
    !(await documents.head(key)) &&
    (await documents.count(`${contractId}/evidence/`)) >= MAX_EVIDENCE_FILES
  ) {
    throw new CovenantError('conflict', [
      { pointer: '', message: `This contract holds ${MAX_EVIDENCE_FILES} evidence files, the most it may.` },
    ]);
  }
  await documents.put(key, content, type, name);
  const stored = await documents.head(key);
  return {
    sha256,
    name: stored?.name ?? `${sha256.slice(0, 12)}.${EVIDENCE_TYPES[type]!.extension}`,
    type,
    size: content.length,
  };
}

/**
 * The figures with their evidence resolved to uploaded files of this contract (type and size from
 * the store). A hash no upload of this contract answered is a 400 at its pointer.
 */
export async function resolveEvidence(
  documents: BlobStore,
  contractId: string,
  figures: Record<string, Figure> | undefined,
  at: string,
): Promise<Record<string, Figure> | undefined> {
  if (!figures) return undefined;
  // Entries, not assignments: a key such as "__proto__" stays a key, for the workflow to refuse by name.
  const resolved: [string, Figure][] = [];
  for (const [id, figure] of Object.entries(figures)) {
    const entry = figure.evidence
      ? {
          ...figure,
          evidence: await resolveFiles(
            documents,
            contractId,
            figure.evidence,
            `${at}${pointer(id, 'evidence')}`,
          ),
        }
      : figure;
    resolved.push([id, entry]);
  }
  return Object.fromEntries(resolved);
}

/** Files named by hash (and a name), resolved to this contract's uploads; 400 at `at/<i>/sha256` for another. */
export async function resolveFiles(
  documents: BlobStore,
  contractId: string,
  refs: readonly EvidenceRef[],
  at: string,
): Promise<Evidence[]> {
  const evidence: Evidence[] = [];
  for (const [i, ref] of refs.entries()) {
    const stored = await documents.head(evidenceKey(contractId, ref.sha256));
    if (!stored) {
      throw new CovenantError('invalid', [
        {
          pointer: `${at}/${i}/sha256`,
          message: 'No file with this SHA-256 was uploaded for this contract (POST .../evidence first).',
        },
      ]);
    }
    const extension = EVIDENCE_TYPES[stored.contentType]?.extension ?? 'bin';
    evidence.push({
      sha256: ref.sha256,
      name: ref.name ?? stored.name ?? `${ref.sha256.slice(0, 12)}.${extension}`,
      type: stored.contentType,
      size: stored.size,
    });
  }
  return evidence;
}
