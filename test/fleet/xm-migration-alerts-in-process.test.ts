import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { Fleet } from '../harness/fleet.js';
import { checkTexts, TWO_DOM0S, twoDom0sOnline } from './two-dom0s.js';

// The walk of a mixed fleet on the playground: `xenherdctl migrate web1 xen2` between two xm
// Dom0s. xend's receiving copy is a plain web1, paused, and the sender's rename to migrating-web1
// reaches its agent only at its next `xm list`: for most of the copy the reports show two plain
// copies, which were called a split brain (and dual Primary) while the controller itself made the move.
let f: Fleet;
afterEach(async () => f?.stop());

const XM = TWO_DOM0S.replace(/toolstack=xl xen=4\.17\.7 drbd=9/g, 'toolstack=xm xen=4.1.4 drbd=8.4');

function migrate(name: string, target: string): () => CommandOutcome | null {
  let outcome: CommandOutcome | null = null;
  const r = f.controller!.core.command({ op: 'migrate', name, target }, { name: 'test' }, { progress: () => undefined, done: (o) => void (outcome = o) });
  if (!r.ok) throw new Error(r.error.message);
  return () => outcome;
}

describe('a live migration between two xm Dom0s (in process)', () => {
  it('raises no conflict and leaves check OK from the copy to the reports showing the arrival', async () => {
    f = await twoDom0sOnline(XM);
    const outcome = migrate('web1', 'xen2');
    const alerts = new Set<string>();
    const checks = new Set<string>();
    const look = (): void => {
      for (const a of f.controller!.core.status().alerts) alerts.add(`${a.kind} ${a.message}`);
      for (const t of checkTexts(f)) checks.add(t);
    };
    let plainOnBoth = false;
    await f.until(() => {
      look();
      const rows = ['xen1', 'xen2'].map((h) => f.controller!.core.domains(h)).map((d) => d.ok && d.value.domains.some((x) => x.name === 'web1'));
      plainOnBoth ||= rows.every(Boolean);
      return outcome() !== null;
    }, 'the migrate answered', 120_000, 100);
    expect(outcome()).toMatchObject({ ok: true });
    // the reports did show web1 plainly on both: the case this is about
    expect(plainOnBoth).toBe(true);
    for (let i = 0; i < 100; i++) {
      await f.advance(100);
      look();
    }
    expect([...alerts]).toEqual([]);
    expect([...checks].filter((t) => t.startsWith('CRITICAL'))).toEqual([]);
    expect(f.sim.violations).toEqual([]);
  });

  it('a second copy once the move is over is raised within seconds', async () => {
    f = await twoDom0sOnline(XM);
    const outcome = migrate('web1', 'xen2');
    await f.until(() => outcome() !== null, 'the migrate answered', 120_000, 100);
    expect(outcome()).toMatchObject({ ok: true });
    f.sim.force('a second web1 on xen1', (s) => ({ ...s, domains: [...s.domains, { ...s.domains.find((d) => d.name === 'web1')!, host: 'xen1', domid: 99 }] }));
    await f.until(() => f.controller!.core.status().alerts.some((a) => a.kind === 'running-on-two-hosts'), 'the second copy alerted', 30_000, 100);
    expect(f.controller!.core.status().alerts.find((a) => a.kind === 'running-on-two-hosts')).toMatchObject({ subject: 'web1', hosts: ['xen1', 'xen2'] });
  });
});
