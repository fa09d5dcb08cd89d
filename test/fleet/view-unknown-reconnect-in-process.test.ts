import { afterEach, expect, it } from 'vitest';
import type { Fleet } from '../harness/fleet.js';
import { twoDom0sOnline } from './two-dom0s.js';
import { viewWord } from '../../agent/core/view-lag.js';

// A Dom0 whose `xl list` fails keeps showing the rows its agent last read (blind-rows.ts). Its
// link to the controller may drop and come back meanwhile (a controller restart, a network blip):
// the agent's first report on the new link carries no domains, as every report of a blind agent
// does, and taken as "none run here" it would make `where` answer that web1 runs nowhere.

let f: Fleet;
afterEach(async () => f?.stop());

const xen1 = () => f.controller!.core.hosts().hosts.find((h) => h.host === 'xen1');
/** `domains --host xen1` as [name, reachable] */
const xen1Rows = (): [string, boolean][] => {
  const d = f.controller!.core.domains('xen1');
  if (!d.ok) throw new Error(d.error.message);
  return d.value.domains.map((r) => [r.name, r.reachable]);
};
const whereWeb1 = () => {
  const w = f.controller!.core.where('web1');
  if (!w.ok) throw new Error(w.error.message);
  return w.value.matches[0]?.places.map((p) => [p.host, p.reachable]);
};
async function reconnect(host: string, during: () => Promise<void> = async () => undefined): Promise<void> {
  f.controller!.partition(host, true);
  await f.until(() => xen1()?.reachable === false, `${host} unreachable`, 30_000);
  await during();
  f.controller!.partition(host, false);
  await f.until(() => xen1()?.reachable === true, `${host} reports again`, 180_000, 100);
}

it('a Dom0 still blind when its link comes back keeps its last rows, STALE since its view went unknown, not since the new link', async () => {
  f = await twoDom0sOnline();
  f.sim.toolFault('xen1', 'xl', { kind: 'hang' }, { argvPrefix: ['list'] });
  await f.until(() => xen1()?.view === 'unknown', 'xen1 cannot list', 5 * 60_000, 100);
  const blindSince = f.controller!.core.domains('xen1');
  if (!blindSince.ok) throw new Error(blindSince.error.message);
  const since = blindSince.value.domains[0]?.viewUnknownSince;

  await reconnect('xen1');
  await f.advance(5_000);
  expect(xen1()?.view).toBe('unknown');
  expect(xen1Rows()).toEqual([
    ['web1', false],
    ['web2', false],
  ]);
  expect(whereWeb1()).toEqual([['xen1', false]]);
  expect(since).toBeTypeOf('number');
  const d = f.controller!.core.domains('xen1');
  if (!d.ok) throw new Error(d.error.message);
  expect(d.value.domains.map((r) => r.viewUnknownSince)).toEqual([since, since]);

  // once it reads xl list again, its own rows, vouched for
  f.sim.clearToolFaults();
  await f.until(() => xen1()?.view === 'current', 'xen1 lists again', 5 * 60_000, 100);
  await f.until(() => xen1Rows().every(([, reachable]) => reachable), 'rows vouched for');
  expect(xen1Rows()).toEqual([
    ['web1', true],
    ['web2', true],
  ]);
  const back = f.controller!.core.domains('xen1');
  expect(back.ok && back.value.domains.every((r) => r.viewUnknownSince === undefined)).toBe(true);
});

it('a Dom0 that went blind while its link was down keeps the rows it last reported', async () => {
  f = await twoDom0sOnline();
  await reconnect('xen1', async () => {
    f.sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'libxl: error: cannot connect to xenstored\n', exitCode: 1 }, { argvPrefix: ['list'] });
    // its periodic re-read fails while the controller cannot hear it
    await f.until(() => viewWord(f.agent('xen1').core.current, f.sim.clock.now()) === 'unknown', 'xen1 lost sight of its domains', 5 * 60_000, 100);
  });
  expect(xen1()?.view).toBe('unknown');
  await f.advance(5_000);
  expect(xen1Rows()).toEqual([
    ['web1', false],
    ['web2', false],
  ]);
  expect(whereWeb1()).toEqual([['xen1', false]]);
});
