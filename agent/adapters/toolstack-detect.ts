import type { ToolstackKind } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ToolRunner } from './exec.js';
import type { ToolFailure } from './tool-failure.js';
import { explainToolstackFailure } from './toolstack-explain.js';


const PROBE_TIMEOUT_MS = 10_000;

/**
 * Which toolstack drives this Dom0. A configured preference wins. Otherwise:
 * - `xl list` works and `xm list` does not (no xm, or "Unable to connect to xend"): xl;
 * - `xm list` works: xend is running, and on Xen 4.2–4.4 xl then refuses every command that
 *   changes state ("xend is running, which may cause unpredictable results…") even though its
 *   `list` works — so xend's xm is the toolstack to use;
 * - neither works: the xl failure (or xm's when xl is not installed at all).
 */
export async function detectToolstack(run: ToolRunner, preferred?: ToolstackKind): Promise<Result<ToolstackKind, ToolFailure>> {
  if (preferred !== undefined) return ok(preferred);
  const xl = await run('xl', ['list'], { timeoutMs: PROBE_TIMEOUT_MS });
  const xm = await run('xm', ['list'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (xm.ok) return ok('xm');
  if (xl.ok) return ok('xl');
  return err(explainToolstackFailure(xl.error.code === 'XH_ERR_TOOL_NOT_FOUND' && xm.error.code !== 'XH_ERR_TOOL_NOT_FOUND' ? xm.error : xl.error));
}
