import { describe, expect, it } from 'vitest';
import { away, hostState } from '../states.js';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

// web3 (home xen1) was migrated to xen2, which died and was revoked: the controller no longer knows
// xen2, and no Dom0 it hears runs web3. "not running" is then the word of nobody: STALE, saying why.
describe('xenherdctl where, a domU whose home sends it to a Dom0 not in the fleet', () => {
  it('is STALE, naming the host as not in the fleet', async () => {
    const c = await bed.start({}, {}, { enrolled: true });
    const xen1 = await c.agent('xen1');
    xen1.hello();
    const homes = [{ name: 'web3', peer: 'xen2', source: 'migrate-tab' as const }];
    xen1.snapshot(hostState({ domains: [], homes, ledger: { seq: 1, away: { web3: away('xen1', 'xen2') }, visitors: {} } }));
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reported', { limitMs: 10_000 });
    const r = await ctlFor(c)(['where', 'web3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web3 {2}- {2}not running {2}home xen1 \(away since .*\) {2}as of \d+\.\d s, STALE \(its home's ledger sends it to xen2: not in this controller's fleet \(revoked, or never enrolled\)\)/);
  });
});
