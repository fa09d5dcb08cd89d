import type { InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { CPU_TIME_RE, LIST_HEADER_RE, splitLines, takeRight, UINT_RE } from './xl-columns.js';
import { decodeXmState, splitDomainName, XM_STATE_RE } from './xl-state.js';

/**
 * `xm list` (xend, Xen ≤ 4.4; tools/python/xen/xm/main.py xm_brief_list):
 * header `'%-40s %5s %5s %5s %10s %9s'`, rows `"%(name)-40s %(domid)5s %(mem)5d %(vcpus)5d %(state)10s %(cpu_time)8.1f"`.
 * A domain xend manages but that is not running has no domid and no state (XendConfig.to_sxp
 * leaves both out), so both columns are blank: from the right such a row has only
 * TIME, VCPUS, MEM before the name. A row has a state exactly when it has an ID.
 */
export function parseXmList(text: string): Result<InventoryDomain[], ParseFailure> {
  const tool = 'xm';
  const lines = splitLines(text);
  // CentOS/Xen4CentOS's xm prints "WARNING: xend/xm is deprecated." first (on stderr, but
  // captures often interleave it): tolerate such lines before the header only.
  let headerIdx = 0;
  while (headerIdx < lines.length && (lines[headerIdx]?.trim() === '' || lines[headerIdx]?.startsWith('WARNING: '))) headerIdx++;
  const header = lines[headerIdx];
  if (header === undefined) return err(parseFailure(tool, 0, text, 'the `xm list` header line'));
  if (!LIST_HEADER_RE.test(header)) {
    return err(parseFailure(tool, headerIdx + 1, header, 'header "Name ID Mem VCPUs State Time(s)" (plain `xm list`, not -l/--label)'));
  }
  const domains: InventoryDomain[] = [];
  for (let i = headerIdx + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const row = parseXmRow(line);
    if (typeof row === 'string') return err(parseFailure(tool, i + 1, line, row));
    domains.push(row);
  }
  return ok(domains);
}

function parseXmRow(line: string): InventoryDomain | string {
  const expected = 'a domain row "NAME ID MEM VCPUS STATE TIME" (ID and STATE blank for a stopped managed domain)';
  const right = takeRight(line, 2);
  const [beforeTime, time] = right.fields;
  if (beforeTime === undefined || time === undefined) return expected;
  if (!CPU_TIME_RE.test(time)) return `CPU time like "123.4", got "${time}"`;
  const running = !UINT_RE.test(beforeTime);
  const { head, fields } = takeRight(line, running ? 5 : 3);
  const [idOrMem, ...rest] = fields;
  const id = running ? idOrMem : undefined;
  const [mem, vcpus] = running ? rest : [idOrMem, rest[0]];
  const letters = running ? rest[2] : '';
  if (mem === undefined || vcpus === undefined || letters === undefined || (running && id === undefined)) return expected;
  if (running && !XM_STATE_RE.test(letters)) return `six state letters like "-b----", got "${letters}"`;
  if (!UINT_RE.test(mem) || !UINT_RE.test(vcpus) || (id !== undefined && !UINT_RE.test(id))) return 'numeric ID, Mem and VCPUs columns';
  const name = head.trim();
  if (name === '') return 'a domain name before the ID column';
  const decoded = running ? decodeXmState(letters) : { state: 'stopped' as const, shutdownReason: null };
  return {
    name,
    ...splitDomainName(name),
    domid: id === undefined ? null : Number(id),
    memMiB: Number(mem),
    vcpus: Number(vcpus),
    stateLetters: letters,
    state: decoded.state,
    shutdownReason: decoded.shutdownReason,
    cpuTimeS: Number(time),
  };
}
