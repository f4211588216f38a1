// Contract lists come from Temporal visibility (search attributes), never from workflow state.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import {
  CONTRACT_WORKFLOW,
  GRADE,
  LATE,
  NEXT_DUE,
  PERIOD,
  SCORE,
  STAGE,
  UNIT,
  YEAR,
} from '../workflows/messages.js';

export interface ContractFilters {
  stage?: string;
  unit?: string;
  late?: 'true' | 'false';
  grade?: string;
}

export interface ContractListItem {
  id: string;
  title: string;
  stage: string | null;
  unit: string | null;
  period: string | null;
  score: number | null;
  grade: string | null;
  nextDue: string | null;
  late: boolean;
  year: number | null;
  status: string;
}

export async function listContracts(
  client: Client,
  filters: ContractFilters,
  limit = 1000,
  /** Keeps only the contracts it accepts, before the limit counts (access control narrows lists). */
  where?: (info: WorkflowExecutionInfo) => Promise<boolean>,
): Promise<ContractListItem[]> {
  const clauses = [`WorkflowType = ${quote(CONTRACT_WORKFLOW)}`];
  if (filters.stage) clauses.push(`${STAGE.name} = ${quote(filters.stage)}`);
  if (filters.unit) clauses.push(`${UNIT.name} = ${quote(filters.unit)}`);
  if (filters.late) clauses.push(`${LATE.name} = ${filters.late === 'true' ? 'true' : 'false'}`);
  if (filters.grade) clauses.push(`${GRADE.name} = ${quote(filters.grade)}`);
  const items: ContractListItem[] = [];
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    if (where && !(await where(info))) continue;
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
    late: attrs.get(LATE) ?? false,
    year: attrs.get(YEAR) ?? null,
    status: info.status.name,
  };
}

/** A string literal for a visibility query: quotes and backslashes escaped, so no value becomes syntax. */
function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
