// Workflow histories kept under test/histories/ for the replay test: recorded from real runs when
// COVENANT_RECORD_HISTORIES=1 (a name already recorded is kept as it is), so a change that breaks
// determinism fails CI instead of production.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { projectRoot } from '../../cli/temporal-binaries.js';

export const historiesDir = join(projectRoot, 'test', 'histories');

export async function recordHistory(
  client: Client,
  name: string,
  workflowId: string,
  runId?: string,
): Promise<void> {
  if (process.env.COVENANT_RECORD_HISTORIES !== '1') return;
  // A history, once recorded, is what running contracts did: it is never recorded again.
  if (existsSync(join(historiesDir, `${name}.json`))) return;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(join(historiesDir, `${name}.json`), JSON.stringify({ workflowId, history }));
}
