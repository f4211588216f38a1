// Contract lists come from Temporal visibility (search attributes), never from workflow state.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { CONTRACT_WORKFLOW, GRADE, NEXT_DUE, PERIOD, SCORE, STAGE, UNIT } from '../workflows/messages.js';

export interface ContractListItem {
  id: string;
  title: string;
  stage: string | null;
  unit: string | null;
  period: string | null;
  score: number | null;
  grade: string | null;
  nextDue: string | null;
  status: string;
}

export async function listContracts(
  client: Client,
  filters: { stage?: string; unit?: string },
  limit = 1000,
): Promise<ContractListItem[]> {
  const clauses = [`WorkflowType = ${quote(CONTRACT_WORKFLOW)}`];
  if (filters.stage) clauses.push(`${STAGE.name} = ${quote(filters.stage)}`);
  if (filters.unit) clauses.push(`${UNIT.name} = ${quote(filters.unit)}`);
  const items: ContractListItem[] = [];
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    items.push(toItem(info));
    if (items.length >= limit) break;
  }
  return items;
}

function toItem(info: WorkflowExecutionInfo): ContractListItem {
  const attrs = info.typedSearchAttributes;
  return {
    id: info.workflowId,
    title: typeof info.memo?.title === 'string' ? info.memo.title : info.workflowId,
    stage: attrs.get(STAGE) ?? null,
    unit: attrs.get(UNIT) ?? null,
    period: attrs.get(PERIOD) ?? null,
    score: attrs.get(SCORE) ?? null,
    grade: attrs.get(GRADE) ?? null,
    nextDue: attrs.get(NEXT_DUE)?.toISOString() ?? null,
    status: info.status.name,
  };
}

/** A string literal for a visibility query: quotes and backslashes escaped, so no value becomes syntax. */
function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
