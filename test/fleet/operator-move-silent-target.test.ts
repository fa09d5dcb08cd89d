import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { Fleet } from '../harness/fleet.js';
import { copyUnderWay, twoDom0sOnline } from './two-dom0s.js';

/**
 * An operator's single `xenherdctl migrate NAME HOST` whose target falls silent to the controller
 * as the move ends: the Dom0s finish it between themselves, and the controller waits for the
 * target's word as a drain does (plan/arrival-wait.ts), not only the flat arrivalWaitMs.
 */
let f: Fleet;
afterEach(async () => f?.stop());

function migrate(name: string, target: string): { lines: string[]; outcome: () => CommandOutcome | null } {
  const lines: string[] = [];
  let outcome: CommandOutcome | null = null;
  const r = f.controller!.core.command({ op: 'migrate', name, target }, { name: 'test' }, { progress: (l) => void lines.push(l), done: (o) => void (outcome = o) });
  if (!r.ok) throw new Error(r.error.message);
  return { lines, outcome: () => outcome };
}

const doneSaid = (lines: readonly string[]): boolean => lines.some((l) => /^xen1's agent reports it done; waiting up to 30 s/.test(l));
const silentLine = /^the reports do not show web1 moved yet, and xen2 has not been heard from since xen1's agent reported it done \(last heard from at .+ UTC, \d+ s ago\): its silence is not taken for a disagreement; waiting for xen2 to report again, up to 10 min in all$/;

describe("an operator's migrate whose target the controller cannot hear when it ends", () => {
  it('the target link down for 40 s past the agent\'s "done": the move is confirmed once xen2 reports again, not XH_ERR_MIGRATION_UNKNOWN', async () => {
    f = await twoDom0sOnline();
    const c = migrate('web1', 'xen2');
    await copyUnderWay(f);
    f.controller!.partition('xen2', true);
    const doneAt = await f.until(() => doneSaid(c.lines), "xen1's agent answered", 120_000, 100);
    await f.until(() => f.sim.clock.now() >= doneAt + 40_000 || c.outcome() !== null, '40 s of silence', 60_000, 500);
    // the flat 30 s ran out while xen2 was silent: that is a reason to wait, not an unknown move
    expect(c.outcome()).toBeNull();
    expect(c.lines.filter((l) => silentLine.test(l))).toHaveLength(1);
    f.controller!.partition('xen2', false);
    await f.until(() => c.outcome() !== null, 'the migrate answered', 60_000, 100);
    expect(c.outcome()).toMatchObject({ ok: true });
    expect(f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['xen2']);
  });

  it('a target never heard again: XH_ERR_MIGRATION_UNKNOWN after the settle limit (10 min), naming xen2 as the silent host', async () => {
    f = await twoDom0sOnline();
    const c = migrate('web1', 'xen2');
    await copyUnderWay(f);
    f.controller!.partition('xen2', true);
    const doneAt = await f.until(() => doneSaid(c.lines), "xen1's agent answered", 120_000, 100);
    const endAt = await f.until(() => c.outcome() !== null, 'the migrate answered', 900_000, 1_000);
    expect(endAt - doneAt).toBeGreaterThanOrEqual(600_000);
    expect(c.outcome()).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
    expect(c.outcome()?.message).toMatch(
      /^xen1's agent reported web1 moved to xen2 \(.+\), but xen2 was not heard from since \(its agent unreachable for 10 min\): where it runs is unknown here \(xen2 was last heard from at .+ UTC, 10 min ago\); check `xenherdctl where web1` once xen2 reports again/,
    );
    expect(c.lines.filter((l) => silentLine.test(l))).toHaveLength(1);
    f.controller!.partition('xen2', false);
  });
});
