import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { whereColumns } from '../../controller/ctl/where-line.js';
import type { Fleet } from '../harness/fleet.js';
import { copyUnderWay, twoDom0sOnline } from './two-dom0s.js';

// The operator's walk on the playground: `xenherdctl migrate web1 xen2`, and xen2 loses power
// mid-copy. The migrate ends XH_ERR_MIGRATION_FAILED, web1 still on xen1; xen2's last report
// (web1--incoming) stays while it is silent, but the move it belonged to is over: xen1, heard
// since, runs web1 plainly. Neither `where` nor `status` may go on saying it is migrating.
let f: Fleet;
afterEach(async () => f?.stop());

const reachable = (host: string): boolean | undefined => f.controller!.core.hosts().hosts.find((h) => h.host === host)?.reachable;
function whereWeb1() {
  const w = f.controller!.core.where('web1');
  if (!w.ok) throw new Error(w.error.message);
  return w.value.matches[0]!;
}
function xen2Reports(row: string): boolean {
  const d = f.controller!.core.domains('xen2');
  return d.ok && d.value.domains.some((x) => x.name === row);
}

describe('a migrate whose target loses power mid-copy (in process)', () => {
  it("once the source resumed, the dead target's incoming half is its last word, not a move under way", async () => {
    f = await twoDom0sOnline();
    let outcome: CommandOutcome | null = null;
    const r = f.controller!.core.command({ op: 'migrate', name: 'web1', target: 'xen2' }, { name: 'test' }, { progress: () => undefined, done: (o) => void (outcome = o) });
    if (!r.ok) throw new Error(r.error.message);
    await copyUnderWay(f);
    await f.until(() => xen2Reports('web1--incoming'), 'the controller sees the receiving half on xen2');
    // while the copy runs and both are heard, it is a move under way
    expect(f.controller!.core.status().summary.midMigration).toBe(1);
    expect(whereWeb1().midMigration).toBe(true);

    f.powerOff('xen2');
    await f.until(() => outcome !== null, 'the migrate answered', 120_000, 500);
    expect(outcome).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_FAILED' });
    await f.until(() => reachable('xen2') === false, 'xen2 unreachable', 120_000, 500);
    await f.advance(5_000);

    const m = whereWeb1();
    // the half is still shown (it is what xen2 last said), as what it is
    expect(m.places.map((p) => `${p.host} ${p.domain.name}`)).toEqual(['xen1 web1', 'xen2 web1--incoming']);
    expect(m.midMigration).toBe(false);
    expect(f.controller!.core.status().summary.midMigration).toBe(0);
    const cols = whereColumns(m, f.sim.clock.now());
    expect(cols.slice(1, 3)).toEqual(['xen1', 'running (xen2 last reported an incoming copy before it went silent; xen1, heard since, still runs web1)']);
    expect(f.sim.violations).toEqual([]);
  });
});
