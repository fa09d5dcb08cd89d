// What a section of `npm run soak` is given, and what it adds to the table.
import type { Row } from '../bench/table.js';

export interface SoakContext {
  /** the built programs (packaging/build.mjs into a temp dir) */
  readonly bundles: { readonly agent: string; readonly controller: string; readonly ctl: string };
  /** a temp dir of this run, removed at the end */
  readonly dir: string;
  /** how long each soak runs (--minutes, default 10) */
  readonly minutes: number;
  /** the rows of the table printed at the end */
  readonly rows: Row[];
  /** fault runs: how many seeds from which, steps per run, and child processes to run them in (--seeds, --from, --steps, --jobs) */
  readonly seeds: { readonly count: number; readonly from: number; readonly steps: number; readonly jobs: number };
}

export type Section = (ctx: SoakContext) => Promise<void>;
