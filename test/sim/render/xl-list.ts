import type { HostView } from '../model/host-view.js';
import type { DomainState } from '../model/types.js';
import { fixed, left, right } from './printf.js';
import { stateLetters } from './state-letters.js';

/** tools/xl/xl_list.c list_domains(): header, then "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f". */
export const XL_LIST_HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';

export function xlListRow(name: string, domid: number, memMiB: number, vcpus: number, letters: string, cpuS: number): string {
  return `${left(name, 40)} ${right(domid, 5)} ${right(memMiB, 5)} ${right(vcpus, 5)}     ${letters}  ${fixed(cpuS, 8, 1)}\n`;
}

export function dom0Row(v: HostView): string {
  return xlListRow('Domain-0', 0, v.host.dom0MiB, v.host.dom0Vcpus, 'r-----', v.host.dom0CpuS);
}

export function domainRow(d: DomainState): string {
  return d.restoring ? xlListRow(d.name, d.domid, 0, 0, stateLetters(d.run), d.cpuTimeS) : xlListRow(d.name, d.domid, d.memMiB, d.vcpus, stateLetters(d.run), d.cpuTimeS);
}

/** `xl list` (all domains) or `xl list NAME` (one; the caller resolved it). */
export function renderXlList(v: HostView, only?: DomainState | 'dom0'): string {
  if (only === 'dom0') return XL_LIST_HEADER + dom0Row(v);
  if (only) return XL_LIST_HEADER + domainRow(only);
  return XL_LIST_HEADER + dom0Row(v) + v.domains.map(domainRow).join('');
}
