// Contracts for tests, derived from the shipped example so the example itself stays tested.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../cli/temporal-binaries.js';
import type { ContractInput } from '../../model/contract.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import type { Stack } from '../../cli/stack.js';
import type { ContractState } from '../../model/state.js';
import { ReadModel } from '../../store/read-model.js';
import { stateQuery } from '../../workflows/messages.js';
import { api, approvalLink, decide, waitFor, waitForEmail } from './stack.js';

export function exampleContract(overrides: Partial<ContractInput> = {}): ContractInput {
  const example = JSON.parse(
    readFileSync(join(projectRoot, 'examples', 'county-health-2027.json'), 'utf8'),
  ) as ContractInput;
  return { ...example, ...overrides };
}

/** The Q1 figures of examples/q1-report.json: ordinary, on-target-ish figures for the example contract. */
export function exampleActuals(): Record<string, number> {
  return (
    JSON.parse(readFileSync(join(projectRoot, 'examples', 'q1-report.json'), 'utf8')) as {
      actuals: Record<string, number>;
    }
  ).actuals;
}

/** Every figure of the example contract at its baseline or worse: the lowest grade. */
export const POOR_ACTUALS: Readonly<Record<string, number>> = {
  immunisation: 70,
  'maternal-deaths': 330,
  'skilled-births': 60,
  'drug-stockouts': 20,
  'outpatient-wait': 100,
  'tb-treatment-success': 80,
  'budget-absorption': 10,
  'pending-bills': 260,
};

let counter = 0;
/**
 * A quarterly year that began on the first of the month `monthsBack` months ago: the quarters that
 * have ended since can be reported at once.
 */
export function backdatedPeriod(monthsBack: number, reportDueDays = 15): ContractInput['period'] {
  const start = addMonths(formatDate(Date.now()).slice(0, 8) + '01', -monthsBack);
  return { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays };
}

export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export async function contractState(stack: Stack, id: string): Promise<ContractState> {
  const response = await api<ContractState>(stack, 'GET', `/api/v1/contracts/${id}`);
  if (response.status !== 200) throw new Error(`GET contract ${id}: ${response.status}`);
  return response.body;
}

/** Signs a contract, reports its Q1 (the example's figures unless told) and waits for the Q1 review. */
export async function signedWithQ1Review(
  stack: Stack,
  contract: ContractInput,
  actuals: Record<string, number | null> = exampleActuals(),
): Promise<ContractState> {
  await signContract(stack, contract);
  const report = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
    period: 'Q1',
    actuals,
  });
  if (report.status !== 200) throw new Error(`Q1 report of ${contract.id}: ${report.status}`);
  return waitFor(async () => {
    const state = await contractState(stack, contract.id);
    return state.periods[0]!.review ? state : undefined;
  }, `the Q1 review of ${contract.id}`);
}

export async function waitForStage(
  stack: Stack,
  id: string,
  stage: ContractState['stage'],
): Promise<ContractState> {
  return waitFor(async () => {
    const state = await contractState(stack, id);
    return state.stage === stage ? state : undefined;
  }, `${id} to reach ${stage}`);
}

/** Drives a new contract through agreement, vetting and both signatures, via the emailed links. */
export async function signContract(stack: Stack, contract: ContractInput): Promise<ContractState> {
  const created = await api(stack, 'POST', '/api/v1/contracts', contract);
  if (created.status !== 201)
    throw new Error(`POST contract: ${created.status} ${JSON.stringify(created.body)}`);
  const agree = await waitForEmail(
    stack,
    (m) => m.subject.startsWith(`${contract.id}: please agree`),
    'agreement request',
  );
  await decide(approvalLink(agree), 'approve');
  for (const who of [contract.principal.signatory.email, contract.unit.signatory.email]) {
    const sign = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: please sign`) && m.to.includes(who),
      `signing request to ${who}`,
    );
    await decide(approvalLink(sign), 'approve');
  }
  return waitForStage(stack, contract.id, 'active');
}

/** The state once the workflow has finished what it was doing (emails logged): two equal reads in a row. */
export async function settledState(stack: Stack, id: string): Promise<ContractState> {
  let previous = JSON.stringify(await contractState(stack, id));
  return waitFor(async () => {
    await new Promise((r) => setTimeout(r, 400));
    const state = await contractState(stack, id);
    const now = JSON.stringify(state);
    if (now === previous) return state;
    previous = now;
    return undefined;
  }, `${id} to settle`);
}

/**
 * Waits until the read model holds exactly the state the contract's workflow holds (the projection
 * follows each change within moments), and returns it.
 */
export async function expectProjected(stack: Stack, id: string): Promise<ContractState> {
  const readModel = new ReadModel(stack.database);
  let last = '';
  try {
    return await waitFor(async () => {
      const workflow = await stack.client.workflow.getHandle(id).query(stateQuery);
      const projected = JSON.stringify(await readModel.state(id));
      const expected = JSON.stringify({ ...workflow, version: workflow.version ?? 0 });
      last = firstDifference(projected, expected);
      return projected === expected ? workflow : undefined;
    }, `${id} projected as its workflow holds it`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; they differ at ${last}`);
  }
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 80), i + 40)}… vs …${b.slice(Math.max(0, i - 80), i + 40)}…`;
}
