import { afterEach, expect, it } from 'vitest';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../shared/protocol/ctl-check.js';
import { whereColumns } from '../../controller/ctl/where-line.js';
import { startFleet, type Fleet } from '../harness/fleet.js';

const FLEET = `
option bandwidth=256 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
domu web1 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1
domu db1 mem=2048 vcpus=2 home=xen2 peer=xen1 drbd=r3 running=xen2
`;
let f: Fleet;
afterEach(async () => f?.stop());
async function online(): Promise<Fleet> {
  f = await startFleet(FLEET, { controller: { enrolled: () => new Set(['xen1', 'xen2']) } });
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'all reporting');
  await f.advance(5_000);
  return f;
}
const checkTexts = () => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).details.map((d) => `${d.status}: ${d.text}`);
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
