import type { HostView } from '../model/host-view.js';
import type { DomainState } from '../model/types.js';
import { fixed, left, right } from './printf.js';
import { stateLetters } from './state-letters.js';

/**
 * xend's xm/main.py xm_brief_list(): header '%-40s %5s %5s %5s %10s %9s', rows
 * "%(name)-40s %(domid)5s %(mem)5d %(vcpus)5d %(state)10s %(cpu_time)8.1f".
 */
export const XM_LIST_HEADER = `${left('Name', 40)} ${right('ID', 5)} ${right('Mem', 5)} ${right('VCPUs', 5)} ${right('State', 10)} ${right('Time(s)', 9)}\n`;

const row = (name: string, domid: string, mem: number, vcpus: number, state: string, cpu: number): string =>
  `${left(name, 40)} ${right(domid, 5)} ${right(mem, 5)} ${right(vcpus, 5)} ${right(state, 10)} ${fixed(cpu, 8, 1)}\n`;

/** xend names the source of a live migration "migrating-NAME". */
export function xmName(d: DomainState): string {
  if (d.name.endsWith('--migratedaway')) return `migrating-${d.name.slice(0, -'--migratedaway'.length)}`;
  if (d.name.endsWith('--incoming')) return d.name.slice(0, -'--incoming'.length);
  return d.name;
}

export function renderXmList(v: HostView, only?: DomainState): string {
  const dom0 = row('Domain-0', '0', v.host.dom0MiB, v.host.dom0Vcpus, 'r-----', v.host.dom0CpuS);
  const rows = (only ? [only] : v.domains).map((d) => row(xmName(d), String(d.domid), d.memMiB, d.vcpus, stateLetters(d.run), d.cpuTimeS));
  return XM_LIST_HEADER + (only ? '' : dom0) + rows.join('');
}
