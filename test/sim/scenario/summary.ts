import { drbdViewFor } from '../model/drbd-view.js';
import { freeMiB } from '../model/host-view.js';
import type { SimState } from '../model/types.js';
import { stateLetters } from '../render/state-letters.js';

/** A compact, stable picture of the cluster for expected-log files: one line per host. */
export function summarize(s: SimState): string[] {
  return Object.values(s.hosts)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((h) => {
      if (h.power !== 'on') return `${h.name}: off`;
      const doms = s.domains.filter((d) => d.host === h.name).sort((a, b) => a.domid - b.domid).map((d) => `${d.name}#${d.domid}(${stateLetters(d.run)})`);
      const drbd = drbdViewFor(s, h.name)?.resources.map((r) => `${r.name} ${r.role}/${r.peerRole} ${r.cstate}`) ?? [];
      return `${h.name}: free=${freeMiB(s, h.name)} doms=[${doms.join(' ')}] drbd=[${drbd.join(', ')}]`;
    });
}
