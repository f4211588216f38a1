// What a what-if simulation reads: each contract's periods as projected in the read model (their
// terms, agreed actuals and outcomes), not the contracts' workflows.
import { CovenantError } from '../model/errors.js';
import type { ReadModel } from '../store/read-model.js';
import type { SimulatedPortfolio } from './rule-runner/index.js';

/** The most contracts one simulation reads: a national portfolio. */
export const MAX_PORTFOLIO = 100_000;
/** The most contracts a request may name (beyond, simulate the whole portfolio). */
export const MAX_NAMED = 5_000;

/**
 * The portfolio a simulation runs over: the named contracts (each once, however often named; 400
 * with the pointer /contracts/<i> of the first unknown one), or every contract with scored periods.
 */
export async function simulatedPortfolio(
  readModel: ReadModel,
  ids?: readonly string[],
): Promise<SimulatedPortfolio> {
  const { found, missing } = await readModel.simulated(ids);
  if (ids && missing.length > 0) {
    const at = ids.indexOf(missing[0]!);
    throw new CovenantError('invalid', [
      { pointer: `/contracts/${at}`, message: `No such contract '${missing[0]}'` },
    ]);
  }
  return { contracts: found, figures: (named) => readModel.figures(named), whole: !ids };
}
