// A target's suggestion from history and benchmarks (rules/targets.ts makes it), as the terms keep it.

/** Percentiles of the latest year values of the same indicator among the peers; nulls when none. */
export interface Peers {
  count: number;
  p25: number | null;
  median: number | null;
  p75: number | null;
}

export interface Suggestion {
  /** The suggested target; null when the rule had nothing to go on (no history, no peers). */
  target: number | null;
  /** The rule that made it: `targets.suggest of <rule set> v<n>` or Covenant's default. */
  rule: string;
  /** What the rule read. */
  inputs: { history: number[]; trend: number | null; lastActual: number | null; peers: Peers };
  /** Why, in words, one step a line (rules/why.ts); absent when it cannot be told. */
  why?: string[];
  /** What went wrong when the rule could not run or gave no number. */
  problem?: string;
}
