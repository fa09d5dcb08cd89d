import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../harness/fleet.js';

// `xenherdctl migrate oldmail xl44` from an xm Dom0: the move cannot work (xm needs the target's xend
// relocation server), so it is refused before anything is sent, as a migrate onto a Dom0 in
// maintenance is; before, the agent ran its preflight and the tool, and the simulator moved it.
let f: Fleet;
afterEach(async () => f?.stop());

const MIXED = `
option bandwidth=256 connect-delay=300
host xm41 mem=16384 cpus=4 toolstack=xm xen=4.1.4 drbd=8.4 migrate-tab=yes
host xl44 mem=16384 cpus=4 toolstack=xl xen=4.4.4 drbd=8.4 migrate-tab=yes
domu oldmail mem=1024 vcpus=1 home=xm41 peer=xl44 drbd=r1 running=xm41
domu newweb mem=1024 vcpus=1 home=xl44 peer=xm41 drbd=r2 running=xl44
`;

async function online(): Promise<Fleet> {
  const fleet = await startFleet(MIXED, { controller: { enrolled: () => new Set(['xm41', 'xl44']) } });
  for (const h of ['xm41', 'xl44']) fleet.startAgent(h);
  await fleet.until(() => fleet.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both reporting');
  await fleet.advance(5_000);
  return fleet;
}

describe('a migrate between an xm and an xl Dom0 (in process)', () => {
  it.each([
    ['oldmail', 'xm41', 'xm', 'xl44', 'xl'],
    ['newweb', 'xl44', 'xl', 'xm41', 'xm'],
  ])('%s from %s (%s) to %s (%s) is refused up front, naming both toolstacks; nothing is sent', async (name, from, fromTs, to, toTs) => {
    f = await online();
    const r = f.controller!.core.command({ op: 'migrate', name, target: to }, { name: 'test' }, { progress: () => undefined, done: () => undefined });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('XH_ERR_REFUSED');
    expect(r.error.message).toBe(
      `${name} runs on ${from} (${fromTs}) and ${to} runs ${toTs}: a live migration stays within one toolstack (xm migrate --live needs the target's xend relocation server, which an xl Dom0 has not; xl's receiving end refuses to run beside xend): nothing was sent`,
    );
    await f.advance(5_000);
    expect(f.sim.commandLog.filter((c) => c.argv[0] === 'migrate')).toEqual([]);
    expect(f.sim.state().domains.filter((d) => d.name === name).map((d) => d.host)).toEqual([from]);
  });
});
