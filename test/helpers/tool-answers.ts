import type { ToolOutput } from '../../agent/adapters/exec.js';
import { ok } from '../../shared/result.js';

/**
 * A run of a xenstore tool over paths that gives OUTS' answers in turn (exit 2 once they are
 * spent), and the paths each run was asked: for the adapters that read past a missing node.
 */
export function answering(outs: ToolOutput[]) {
  const asked: string[][] = [];
  const run = async (paths: readonly string[]) => {
    asked.push([...paths]);
    return ok(outs.shift() ?? { stdout: '', stderr: 'no more', exitCode: 2 });
  };
  return { run, asked };
}
