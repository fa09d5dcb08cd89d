import { afterEach, expect, it } from 'vitest';
import { whereColumns } from '../../controller/ctl/where-line.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../shared/protocol/ctl-check.js';
import type { Fleet } from '../harness/fleet.js';
import { checkTexts as checkTextsOf, twoDom0sOnline } from './two-dom0s.js';

let f: Fleet;
afterEach(async () => f?.stop());
async function online(): Promise<Fleet> {
  f = await twoDom0sOnline();
  return f;
}
const checkTexts = (): string[] => checkTextsOf(f);
it('a Dom0 whose xl list hangs: check says so, and never calls its running domUs "not running anywhere"', async () => {
  await online();
  f.sim.toolFault('xen1', 'xl', { kind: 'hang' }, { argvPrefix: ['list'] });
  await f.advance(3 * 60_000);
  expect(f.controller!.core.hosts().hosts.find((h) => h.host === 'xen1')?.view).toBe('unknown');

  expect(checkTexts()).toEqual([expect.stringMatching(/^WARNING: xen1: its agent cannot read its domains \(xl list\) since .*: what runs there is unknown \(whether web1 and web2 run there is unknown: .*look at xl and xenstored on xen1/)]);
  // status's verdict is check's
  expect(f.controller!.core.status().verdict).toMatchObject({ status: 'WARNING', summary: 'xen1 cannot list its domains' });
  // where names xen1: web1 may run there, it is not "not running"
  const w = f.controller!.core.where('web1');
  if (!w.ok) throw new Error(w.error.message);
  expect(w.value.notListing).toEqual([{ host: 'xen1', view: 'unknown', forMs: expect.any(Number) }]);
  const cols = whereColumns(w.value.matches[0]!, w.value.at, new Map(), [], w.value.notListing);
  expect(cols.slice(1, 3)).toEqual(['-', 'unknown']);
  expect(cols[4]).toMatch(/STALE \(it may run on xen1: its agent cannot read its domains \(xl list\) for \d+ (s|min)\)/);
  await f.advance(13 * 60_000);

  expect(checkTexts().filter((t) => /not running anywhere/.test(t))).toEqual([]);
  expect(CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).status).toBe('WARNING');
});
