import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../harness/fleet.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';

// A fleet mid-upgrade: xl on Xen 4.17 and on Xen 4.11. The agents read their release from `xl info`
// and report it; a live migration down a release (which the older xl refuses: "need newer xl") is
// refused by the controller before anything is sent, and one up a release goes ahead.
let f: Fleet;
afterEach(async () => f?.stop());

const UPGRADING = `
option bandwidth=256 connect-delay=300
host new417 mem=16384 cpus=4 toolstack=xl xen=4.17.5 drbd=8.4 migrate-tab=yes
host old411 mem=16384 cpus=4 toolstack=xl xen=4.11.4 drbd=8.4 migrate-tab=yes
domu web1 mem=1024 vcpus=1 home=new417 peer=old411 drbd=r1 running=new417
domu db1 mem=1024 vcpus=1 home=old411 peer=new417 drbd=r2 running=old411
`;

async function online(): Promise<Fleet> {
  const fleet = await startFleet(UPGRADING, { controller: { enrolled: () => new Set(['new417', 'old411']) } });
  for (const h of ['new417', 'old411']) fleet.startAgent(h);
  await fleet.until(() => fleet.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable && h.xen).length === 2, 'both reporting their Xen release');
  await fleet.advance(5_000);
  return fleet;
}

const DOWN = (name: string, from: string, fromXen: string, to: string, toXen: string) =>
  `${name} runs on ${from} (Xen ${fromXen}) and ${to} runs Xen ${toXen}, an older release: a live migration goes to the same Xen release or a newer one (the older release's tools refuse the newer stream; xl says "Savefile has mandatory flag(s) … need newer xl" and the domU stays on ${from}): nothing was sent`;

describe('live migrations across Xen releases (in process)', () => {
  it('hosts shows each Dom0 release as its agent read it', async () => {
    f = await online();
    expect(f.controller!.core.hosts().hosts.map((h) => [h.host, h.toolstack, h.xen])).toEqual([
      ['new417', 'xl', { major: 4, minor: 17, version: '4.17.5' }],
      ['old411', 'xl', { major: 4, minor: 11, version: '4.11.4' }],
    ]);
  });

  it('a migrate down a release is refused up front, naming both releases; nothing is sent', async () => {
    f = await online();
    const r = f.controller!.core.command({ op: 'migrate', name: 'web1', target: 'old411' }, { name: 'test' }, { progress: () => undefined, done: () => undefined });
    expect(r.ok ? 'sent' : r.error).toEqual({ code: 'XH_ERR_REFUSED', message: DOWN('web1', 'new417', '4.17.5', 'old411', '4.11.4') });
    await f.advance(5_000);
    expect(f.sim.commandLog.filter((c) => c.argv[0] === 'migrate')).toEqual([]);
    expect(f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['new417']);
  });

  it('a migrate up a release goes ahead, and its reverse, down again, is refused up front', async () => {
    f = await online();
    let outcome: CommandOutcome | null = null;
    const up = f.controller!.core.command({ op: 'migrate', name: 'db1', target: 'new417' }, { name: 'test' }, { progress: () => undefined, done: (o) => (outcome = o) });
    expect(up.ok).toBe(true);
    await f.until(() => outcome !== null, 'the migrate of db1 ended');
    expect(outcome).toMatchObject({ ok: true });
    expect(f.sim.state().domains.filter((d) => d.name === 'db1').map((d) => d.host)).toEqual(['new417']);
    const back = f.controller!.core.command({ op: 'reverse', name: 'db1' }, { name: 'test' }, { progress: () => undefined, done: () => undefined });
    expect(back.ok ? 'sent' : back.error).toEqual({ code: 'XH_ERR_REFUSED', message: DOWN('db1', 'new417', '4.17.5', 'old411', '4.11.4') });
  });
});
