import type { InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ToolRunner } from './exec.js';
import type { AdapterFailure, ToolFailure } from './tool-failure.js';
import type { ToolstackKind } from '../../shared/inventory.js';
import { createToolstack, type Toolstack } from './toolstack.js';
import { explainToolstackFailure } from './toolstack-explain.js';
import { parseXlList } from '../parse/xl-list.js';
import { parseXmList } from '../parse/xm-list.js';

/**
 * The toolstack and the first `xl list` in one round trip: `xl list` and `xm list` run in
 * parallel and the rule of adapters/toolstack-detect.ts picks (xm when xend answers, else xl);
 * the chosen tool's output is the first domain list. Saves a round trip before READY.
 */
export async function openToolstackWithList(
  run: ToolRunner,
  preferred: ToolstackKind | undefined,
): Promise<Result<{ toolstack: Toolstack; domains: Result<InventoryDomain[], AdapterFailure> }, ToolFailure>> {
  if (preferred !== undefined) {
    const ts = createToolstack(preferred, { run });
    return ok({ toolstack: ts, domains: await ts.list() });
  }
  const [xl, xm] = await Promise.all([run('xl', ['list'], { timeoutMs: 15_000 }), run('xm', ['list'], { timeoutMs: 15_000 })]);
  if (xm.ok) return ok({ toolstack: createToolstack('xm', { run }), domains: parseXmList(xm.value.stdout) });
  if (xl.ok) return ok({ toolstack: createToolstack('xl', { run }), domains: parseXlList(xl.value.stdout) });
  // worded as detectToolstack words it: the daemon logs this and reports the domains unread with it
  return err(explainToolstackFailure(xl.error.code === 'XH_ERR_TOOL_NOT_FOUND' && xm.error.code !== 'XH_ERR_TOOL_NOT_FOUND' ? xm.error : xl.error));
}
