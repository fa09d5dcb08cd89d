import type { InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { CPU_TIME_RE, LIST_HEADER_RE, takeRight, UINT_RE } from './xl-columns.js';
import { splitLines } from './tool-lines.js';
import { decodeXlState, splitDomainName, XL_STATE_RE } from './xl-state.js';

/**
 * `xl list` and `xl list NAME` (plain table, no -v/-Z/-c/-n).
 * Row format (xl_info.c, unchanged 4.1 … 4.22): `"%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f"`.
 * Mem is (current + outstanding claim) KiB / 1024, i.e. MiB.
 */
export function parseXlList(text: string): Result<InventoryDomain[], ParseFailure> {
  const tool = 'xl';
  const lines = splitLines(text);
  const headerIdx = lines.findIndex((l) => l.trim() !== '');
  const header = headerIdx >= 0 ? lines[headerIdx] : undefined;
  if (header === undefined) return err(parseFailure(tool, 0, text, 'the `xl list` header line'));
  if (!LIST_HEADER_RE.test(header)) {
    const hint = /UUID|Security Label|Cpupool|NODE Affinity|Claimed/.test(header) ? ' (plain `xl list`, without -v/-Z/-c/-n)' : '';
    return err(parseFailure(tool, headerIdx + 1, header, `header "Name ID Mem VCPUs State Time(s)"${hint}`));
  }
  const domains: InventoryDomain[] = [];
  for (let i = headerIdx + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const row = parseXlRow(line);
    if (typeof row === 'string') return err(parseFailure(tool, i + 1, line, row));
    domains.push(row);
  }
  return ok(domains);
}

/** One row, or a description of what was expected. */
function parseXlRow(line: string): InventoryDomain | string {
  const { head, fields } = takeRight(line, 5);
  const [id, mem, vcpus, letters, time] = fields;
  if (fields.length < 5 || id === undefined || mem === undefined || vcpus === undefined || letters === undefined || time === undefined) {
    return 'a domain row "NAME ID MEM VCPUS STATE TIME"';
  }
  if (!CPU_TIME_RE.test(time)) return `CPU time like "123.4", got "${time}"`;
  if (!XL_STATE_RE.test(letters)) return `six state letters like "-b----", got "${letters}"`;
  if (!UINT_RE.test(id) || !UINT_RE.test(mem) || !UINT_RE.test(vcpus)) return 'numeric ID, Mem and VCPUs columns';
  const name = head.trim();
  if (name === '') return 'a domain name before the ID column';
  const { state, shutdownReason } = decodeXlState(letters);
  return {
    name,
    ...splitDomainName(name),
    domid: Number(id),
    memMiB: Number(mem),
    vcpus: Number(vcpus),
    stateLetters: letters,
    state,
    shutdownReason,
    cpuTimeS: Number(time),
  };
}
