import { withAway } from '../../../agent/state/ledger.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

const XL_417 = 'toolstack=xl xen=4.17.7';

/**
 * Two Dom0s in a DRBD pair, web1 homed on xen1 running on xen2, xen1's ledger recording it away
 * there (moved by hand): a reverse's starting point. XEN1 and XEN2: each Dom0's toolstack and release.
 */
export async function awayOnXen2(xen1 = XL_417, xen2 = XL_417): Promise<Fleet> {
  const f = await startFleet(`option bandwidth=1024 connect-delay=0
host xen1 mem=32768 cpus=8 ${xen1} drbd=8.4 migrate-tab=yes
host xen2 mem=32768 cpus=8 ${xen2} drbd=8.4 migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen2
`);
  const away = { home: 'xen1', currentHost: 'xen2', since: '2026-12-06T00:00:00.000Z', operationId: 'op-by-hand', reason: 'manual' as const };
  const w = await simMigrationPorts({ sim: f.sim }, 'xen1').store.update((l) => withAway(l, 'web1', away));
  if (!w.ok) throw new Error(w.error.message);
  return f;
}
