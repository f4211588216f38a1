// The bare workflow's activities: the same kind of work as a Covenant review (a Handlebars document
// stored in PostgreSQL, an email through Nodemailer to the same catcher).
import type { Mailer } from '../../activities/mailer.js';
import type { BlobStore } from '../../store/blobs.js';
import type { Templates } from '../../templates/index.js';

export function createBaselineActivities(deps: {
  documents: BlobStore;
  mailer: Mailer;
  templates: Templates;
}) {
  return {
    async renderAndStore({
      id,
      actuals,
      score,
    }: {
      id: string;
      actuals: Record<string, number>;
      score: number;
    }) {
      const html = `<!doctype html><h1>${id}</h1><p>${score}</p><ul>${Object.entries(actuals)
        .map(([k, v]) => `<li>${k}: ${v}</li>`)
        .join('')}</ul>`;
      await deps.documents.put(`${id}/baseline-review.html`, html, 'text/html; charset=utf-8');
    },
    async sendOneEmail({ id, score }: { id: string; score: number }) {
      await deps.mailer.send(`${id}/baseline-review`, [{ name: 'Unit', email: 'unit@county.example' }], {
        subject: `${id}: review ${score}`,
        text: `Score ${score}`,
        html: `<p>Score ${score}</p>`,
      });
    },
  };
}
