import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { jobEnd } from './controller-job.js';
import { pairFleet } from '../harness/pair-fleet.js';

// `xenherdctl maintenance xen1 on` while domUs run there, with real agent cores and the
// controller core in process: the refusal names what runs there once, the host once before it, and the drain that empties it.
const FLEET = pairFleet({ connectDelay: 300, drbd: '9', more: 'domu web2 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1\n' });

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

describe('maintenance on, refused while domUs run', () => {
  it('names the domUs once, and the drain that moves them', async () => {
    const f = await startFleet(FLEET, { controller: true });
    fleet = f;
    for (const h of ['xen1', 'xen2']) f.startAgent(h);
    await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
    const end = await jobEnd(f, { kind: 'maintenance', host: 'xen1', on: true });
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(end.message).toMatch(/^xen1 refused to be set maintenance: 2 domain\(s\) still run here \(web1, web2\): maintenance needs an empty host .*; `xenherdctl drain xen1` moves them and sets maintenance$/);
    expect(end.message.match(/web1/g)).toHaveLength(1);
    // the agent opens its refusal with its own name; the sentence has named the host already
    expect(end.message).not.toMatch(/xen1: /);
  });
});
