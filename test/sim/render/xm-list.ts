import type { HostView } from '../model/host-view.js';
import type { DomainState, SimState } from '../model/types.js';
import { fixed, left, right } from './printf.js';
import { xmStateLetters } from './state-letters.js';

/**
 * xend's xm/main.py xm_brief_list(): header '%-40s %5s %5s %5s %10s %9s', rows
 * "%(name)-40s %(domid)5s %(mem)5d %(vcpus)5d %(state)10s %(cpu_time)8.1f".
 */
export const XM_LIST_HEADER = `${left('Name', 40)} ${right('ID', 5)} ${right('Mem', 5)} ${right('VCPUs', 5)} ${right('State', 10)} ${right('Time(s)', 9)}\n`;

export const xmListRow = (name: string, domid: string, mem: number, vcpus: number, state: string, cpu: number): string =>
  `${left(name, 40)} ${right(domid, 5)} ${right(mem, 5)} ${right(vcpus, 5)} ${right(state, 10)} ${fixed(cpu, 8, 1)}\n`;

/**
 * The name xend shows for D. xend renames a domain it sends away (XendCheckpoint.save) to
 * "migrating-NAME" before the copy begins and back to NAME if the move fails, where libxl renames
 * only for the final handshake: so on an xm host a domain LEAVING (the names of this host's
 * migrations in flight) is migrating-NAME for the whole copy. The receiver's copy is plain NAME.
 */
export function xmName(d: DomainState, leaving: ReadonlySet<string>): string {
  if (d.name.endsWith('--migratedaway')) return `migrating-${d.name.slice(0, -'--migratedaway'.length)}`;
  if (d.name.endsWith('--incoming')) return d.name.slice(0, -'--incoming'.length);
  return leaving.has(d.name) ? `migrating-${d.name}` : d.name;
}

/** The names of the migrations leaving HOST now. */
export function leavingNames(s: SimState, host: string): ReadonlySet<string> {
  return new Set(s.migrations.filter((m) => m.from === host).map((m) => m.domain));
}

/** The domain xend knows as NAME_OR_ID on this host (by the name it shows, or by domid). */
export function findXmDomain(v: HostView, leaving: ReadonlySet<string>, nameOrId: string): DomainState | undefined {
  if (/^\d+$/.test(nameOrId)) return v.domains.find((d) => d.domid === Number(nameOrId));
  return v.domains.find((d) => xmName(d, leaving) === nameOrId);
}

export function renderXmList(v: HostView, leaving: ReadonlySet<string>, only?: DomainState): string {
  const dom0 = xmListRow('Domain-0', '0', v.host.dom0MiB, v.host.dom0Vcpus, 'r-----', v.host.dom0CpuS);
  const rows = (only ? [only] : v.domains).map((d) => xmListRow(xmName(d, leaving), String(d.domid), d.memMiB, d.vcpus, xmStateLetters(d.run), d.cpuTimeS));
  return XM_LIST_HEADER + (only ? '' : dom0) + rows.join('');
}
