import { describe, expect, it } from 'vitest';
import { CLOSE, FAILBACK_REASON } from '../../../shared/link/link.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { dom, hostState } from '../states.js';
import { coreBed, SETTINGS, T0 } from './core-bed.js';

// This core is a standby. An agent that leaves it for the primary again says so in its close: it
// reports to another controller, not lost, and the rows it last sent here stop saying what runs
// there as soon as the primary moves anything. Kept, they made a false running-on-two-hosts of the
// next Dom0 to report here again with a domU the primary moved there.

const SLOW = { ...SETTINGS, staleAfterMs: 600_000 };
const home = (name: string) => ({ name, source: 'migrate-tab' as const, peer: 'xen2' });

async function failedBack() {
  const bed = coreBed(SLOW);
  const xen1 = await bed.online('xen1', hostState({ domains: [dom('web1'), dom('db1')], homes: [home('db1')] }));
  const xen2 = await bed.online('xen2', hostState({ domains: [dom('web2')] }));
  await bed.clock.advance(5_000);
  xen1.pair.agent.close(CLOSE.goingAway, FAILBACK_REASON);
  await bed.clock.advance(0);
  return { bed, xen2 };
}

const check = (bed: Awaited<ReturnType<typeof failedBack>>['bed']) => bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);

describe('an agent gone back to the primary controller', () => {
  it('is a WARNING saying where it reports since when, in check, hosts and status, never CRITICAL', async () => {
    const { bed } = await failedBack();
    // past the minute an agent that stopped cleanly is given: this is no restart on its way
    await bed.clock.advance(120_000);
    const c = check(bed);
    expect(c.status).toBe('WARNING');
    expect(c.summary).toBe('xen1 reports to another controller since 14:00:05 UTC');
    expect(c.details).toEqual([
      expect.objectContaining({ status: 'WARNING', kind: 'reports-elsewhere', subject: 'xen1', text: 'xen1 reports to another controller since 14:00:05 UTC: its agent went back to the primary controller; ask that one about it' }),
    ]);
    const view = bed.core.hosts().hosts.find((h) => h.host === 'xen1');
    expect(view).toMatchObject({ reachable: false, linkUp: false, reportsElsewhereSince: T0 + 5_000, domains: 0 });
    expect(view?.lastDomains).toBeUndefined();
    expect(bed.core.status().hosts.find((h) => h.host === 'xen1')?.reportsElsewhereSince).toBe(T0 + 5_000);
    // counted apart from the Dom0s not heard from, which check calls CRITICAL
    expect(bed.core.status().summary).toMatchObject({ hosts: 2, reachable: 1, unreachable: 0, reportsElsewhere: 1 });
    expect(bed.events('host-reports-elsewhere')).toEqual([expect.objectContaining({ host: 'xen1', level: 30 })]);
  });

  it('counts none of its domUs as running there: no running-on-two-hosts when another Dom0 reports one the primary moved', async () => {
    const { bed, xen2 } = await failedBack();
    // the primary dies again after moving web1 to xen2: xen2 is the first back on this standby
    xen2.pair.drop();
    await bed.clock.advance(1_000);
    const again = bed.connect('xen2');
    again.agent.hello();
    again.agent.snapshot(hostState({ domains: [dom('web1'), dom('web2')] }));
    for (let i = 0; i < 10; i++) {
      await bed.clock.advance(100);
      expect(bed.core.status().alerts).toEqual([]);
    }
    expect(bed.events('alert-raised')).toEqual([]);
    const w = bed.core.where('web1');
    expect(w.ok && w.value.matches[0]?.places.map((p) => p.host)).toEqual(['xen2']);
    // a domU of its own it ran: not known here to run anywhere, and not vouched for
    const db1 = bed.core.where('db1');
    expect(db1.ok && db1.value.matches[0]).toMatchObject({ places: [], reachable: false, home: 'xen1' });
  });

  it('is heard again as any host once it reports here again', async () => {
    const { bed } = await failedBack();
    const back = bed.connect('xen1');
    back.agent.hello();
    back.agent.snapshot(hostState({ domains: [dom('db1')], homes: [home('db1')] }));
    await bed.clock.advance(0);
    expect(check(bed).status).toBe('OK');
    expect(bed.core.hosts().hosts.find((h) => h.host === 'xen1')?.reportsElsewhereSince).toBeUndefined();
  });
});
