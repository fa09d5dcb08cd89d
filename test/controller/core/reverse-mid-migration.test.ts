import { describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../../shared/protocol/ctl-api.js';
import { away, dom, hostState } from '../states.js';
import { coreBed, recordingSink } from './core-bed.js';

/**
 * web01 (home xen1) runs away on xen2 and is being migrated home right now: xen1 reports its
 * receiving half. A reverse then would cross the migration under way, as a migrate would; both
 * are refused before anything is sent, in the same words (mid-migration-refusal.ts).
 */
async function comingHome() {
  const bed = coreBed();
  const xen1 = await bed.online('xen1', hostState({ domains: [dom('web01', { migration: 'incoming', domid: 9 })], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} } }));
  const xen2 = await bed.online('xen2', hostState({ domains: [dom('web01', { migration: 'migratedaway' }), dom('db1')] }));
  // 5 s pass, both agents heartbeating: the halves have stood a while, both links are live
  for (let t = 0; t < 5; t++) {
    await bed.clock.advance(1_000);
    xen1.agent.heartbeat();
    xen2.agent.heartbeat();
  }
  return { bed, xen1: xen1.agent, xen2: xen2.agent };
}

describe('xenherdctl reverse while a migration half of NAME stands', () => {
  it('is refused as migrate is: XH_ERR_REFUSED, "being migrated right now", nothing sent to the home', async () => {
    const { bed, xen1 } = await comingHome();
    const run = (req: CommandRequest) => {
      const r = bed.core.command(req, { name: 'admin' }, recordingSink());
      if (r.ok) throw new Error(`${req.op} was sent to ${r.value.host}`);
      return r.error;
    };
    const reverse = run({ op: 'reverse', name: 'web01' });
    expect(reverse).toEqual({ code: 'XH_ERR_REFUSED', message: 'web01 is being migrated right now (web01--incoming on xen1 for 5 s, web01--migratedaway on xen2 for 5 s): wait for it to finish' });
    expect(run({ op: 'migrate', name: 'web01', target: 'xen1' })).toEqual(reverse);
    expect(xen1.of('command')).toEqual([]);
  });
});
