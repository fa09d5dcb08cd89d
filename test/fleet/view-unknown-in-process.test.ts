import { afterEach, expect, it } from 'vitest';
import { staleReason, whereColumns } from '../../controller/ctl/where-line.js';
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
const xen1View = (): string | undefined => f.controller!.core.hosts().hosts.find((h) => h.host === 'xen1')?.view;
/** `domains --host xen1` as [name, reachable] */
const xen1Rows = (): [string, boolean][] => {
  const d = f.controller!.core.domains('xen1');
  if (!d.ok) throw new Error(d.error.message);
  return d.value.domains.map((r) => [r.name, r.reachable]);
};

// A hung toolstack stops no guest: the domUs xen1 last read most likely still run there. Its agent
// reports no domains then (it has none it can vouch for), and the controller keeps the rows it
// read before, not vouched for, rather than answer that nothing runs there.
it('a Dom0 whose xl list hangs: where and domains keep its last rows, marked STALE with why; check says so, and never "not running anywhere"', async () => {
  await online();
  f.sim.toolFault('xen1', 'xl', { kind: 'hang' }, { argvPrefix: ['list'] });
  await f.advance(3 * 60_000);
  expect(xen1View()).toBe('unknown');

  expect(checkTexts()).toEqual([expect.stringMatching(/^WARNING: xen1: its agent cannot read its domains \(xl list\) since .*: what runs there is unknown \(whether web1 and web2 run there is unknown: .*look at xl and xenstored on xen1/)]);
  // status's verdict is check's
  expect(f.controller!.core.status().verdict).toMatchObject({ status: 'WARNING', summary: 'xen1 cannot list its domains' });
  expect(xen1Rows()).toEqual([
    ['web1', false],
    ['web2', false],
  ]);
  const w = f.controller!.core.where('web1');
  if (!w.ok) throw new Error(w.error.message);
  expect(w.value.matches[0]).toMatchObject({ places: [{ host: 'xen1', reachable: false }], reachable: false });
  const xen1 = f.controller!.core.hosts().hosts.find((h) => h.host === 'xen1')!;
  const cols = whereColumns(w.value.matches[0]!, w.value.at, new Map([['xen1', staleReason(xen1)!]]), [], w.value.notListing);
  expect(cols.slice(1, 3)).toEqual(['xen1', 'running']);
  expect(cols[4]).toMatch(/STALE \(xen1: its agent cannot read xl list, its rows are the last it read\)/);
  await f.advance(13 * 60_000);

  expect(checkTexts().filter((t) => /not running anywhere|two hosts/.test(t))).toEqual([]);
  expect(f.controller!.core.status().alerts).toEqual([]);
  expect(CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).status).toBe('WARNING');
});

it('once xl list answers again, the rows are what the agent reads, vouched for', async () => {
  await online();
  f.sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'libxl: error: cannot connect to xenstored\n', exitCode: 1 }, { argvPrefix: ['list'], times: 3 });
  await f.until(() => xen1View() === 'unknown', 'xen1 cannot list');
  expect(xen1Rows()).toEqual([
    ['web1', false],
    ['web2', false],
  ]);
  await f.until(() => xen1View() === 'current', 'xen1 lists again');
  await f.until(() => xen1Rows().every(([, reachable]) => reachable), 'rows vouched for');
  expect(xen1Rows()).toEqual([
    ['web1', true],
    ['web2', true],
  ]);
});
