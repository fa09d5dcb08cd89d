import type { InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { CPU_TIME_RE, takeRight, UINT_RE } from './xl-columns.js';
import { splitLines } from './tool-lines.js';
import { decodeXmState, splitDomainName, XM_STATE_RE } from './xl-state.js';

/**
 * `xm list` (xend, Xen ≤ 4.4; tools/python/xen/xm/main.py xm_brief_list):
 * header `'%-40s %5s %5s %5s %10s %9s'`, rows `"%(name)-40s %(domid)5s %(mem)5d %(vcpus)5d %(state)10s %(cpu_time)8.1f"`.
 * Xen 3.0.3 (and Red Hat's xen-3.0.3 in RHEL/CentOS 5) printed `ID Mem(MiB)` with a narrower ID
 * column; read from the right, the rows are the same.
 *
 * A managed domain (xm new) that is not running comes in three shapes, all "stopped":
 *  - ID and State blank: legacy xend leaves domid and state out of its SXP (XendConfig.to_sxp);
 *  - ID blank, State `------`: xend filling the state flags for it;
 *  - ID `-1`, State `------`: xm talking Xen-API (XendAPI sends domid -1 for a halted VM) and the
 *    xend of late 2006, which printed `%(domid)3d` with -1 and could leave stale flags.
 * So a row without a domid is stopped whatever its flags say, and the State column may be blank
 * only when the ID is too. xend refuses names with blanks (XendDomainInfo._checkName), so the
 * name is one field and what is left of it after MEM is exactly the ID, or nothing.
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
  if (!XM_HEADER_RE.test(header)) {
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

const XEND_MIGRATING = 'migrating-';
/**
 * xend of Xen 3.0.0-3.0.3 (XendDomainInfo.cleanupDomain, ZOMBIE_PREFIX) renamed a domain it had
 * destroyed to `Zombie-NAME` while the hypervisor still held it: NAME on its way out.
 */
const XEND_ZOMBIE = 'Zombie-';
/**
 * Xen 3.0.2's xm with an ACM security policy loaded appends ` s:%04x/p:%04x` (the domain's ssidref)
 * to the row of every domain labelled.
 */
const ACM_SSIDREF_RE = /[ \t]+s:[0-9a-f]{4}\/p:[0-9a-f]{4}[ \t]*$/;

/**
 * xend renames the domain it sends away (live migration and `xm save` alike) to
 * `migrating-NAME` until it is gone, and names it back if the move fails; the receiving side
 * gets the plain NAME. So `migrating-NAME` is NAME leaving this host, as xl's
 * `NAME--migratedaway` is (a domU of that very name would be as ambiguous to xend itself).
 */
function splitXmDomainName(name: string): Pick<InventoryDomain, 'baseName' | 'migration'> {
  if (name.startsWith(XEND_MIGRATING) && name.length > XEND_MIGRATING.length) return { baseName: name.slice(XEND_MIGRATING.length), migration: 'migratedaway' };
  if (isZombie(name)) return { baseName: name.slice(XEND_ZOMBIE.length), migration: null };
  return splitDomainName(name);
}

const isZombie = (name: string): boolean => name.startsWith(XEND_ZOMBIE) && name.length > XEND_ZOMBIE.length;

/** Both header spellings: `Mem` (Xen ≥ 3.0.4) and `Mem(MiB)` (Xen 3.0.3, RHEL/CentOS 5). */
const XM_HEADER_RE = /^Name[ \t]+ID[ \t]+Mem(?:\(MiB\))?[ \t]+VCPUs[ \t]+State[ \t]+Time\(s\)[ \t]*$/;
/** A printed domid: a number, or -1 for "none" (Xen-API and xend of 2006). */
const ID_RE = /^(?:\d{1,15}|-1)$/;

function parseXmRow(labelled: string): InventoryDomain | string {
  const line = labelled.replace(ACM_SSIDREF_RE, '');
  const expected = 'a domain row "NAME ID MEM VCPUS STATE TIME" (ID and STATE blank for a stopped managed domain)';
  const right = takeRight(line, 2);
  const [beforeTime, time] = right.fields;
  if (beforeTime === undefined || time === undefined) return expected;
  if (!CPU_TIME_RE.test(time)) return `CPU time like "123.4", got "${time}"`;
  // No state letters: ID blank too, so the row is NAME MEM VCPUS TIME.
  const hasState = !UINT_RE.test(beforeTime);
  const { head, fields } = takeRight(line, hasState ? 4 : 3);
  const [mem, vcpus] = fields;
  const letters = hasState ? (fields[2] ?? '') : '';
  if (mem === undefined || vcpus === undefined || (hasState && fields.length < 4)) return expected;
  if (hasState && !XM_STATE_RE.test(letters)) return `six state letters like "-b----", got "${letters}"`;
  if (!UINT_RE.test(mem) || !UINT_RE.test(vcpus)) return 'numeric ID, Mem and VCPUs columns';
  const { id, name } = hasState ? splitIdAndName(head) : { id: null, name: head.trim() };
  if (name === '') return 'a domain name before the ID column';
  if (/\s/.test(name)) return `a domain name without blanks and a numeric ID column, got ${JSON.stringify(head.trim())}`;
  const domid = id === null || id === '-1' ? null : Number(id);
  const decoded = domid === null ? { state: 'stopped' as const, shutdownReason: null } : isZombie(name) ? { state: 'dying' as const, shutdownReason: null } : decodeXmState(letters);
  return {
    name,
    ...splitXmDomainName(name),
    domid,
    memMiB: Number(mem),
    vcpus: Number(vcpus),
    stateLetters: letters,
    state: decoded.state,
    shutdownReason: decoded.shutdownReason,
    cpuTimeS: Number(time),
  };
}

/** `NAME ID` or `NAME` (ID blank): the last field is the ID when it looks like one and a name precedes it. */
function splitIdAndName(head: string): { id: string | null; name: string } {
  const { head: before, fields } = takeRight(head, 1);
  const [last] = fields;
  if (last !== undefined && ID_RE.test(last) && before.trim() !== '') return { id: last, name: before.trim() };
  return { id: null, name: head.trim() };
}
