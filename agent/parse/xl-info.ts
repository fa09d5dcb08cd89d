import { err, ok, type Result } from '../../shared/result.js';
import type { LinkXen } from '../../shared/protocol/agent-link-values.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { repeatedKey } from './repeated-key.js';
import { splitLines } from './tool-lines.js';
import { TOOLS_MISMATCH_FIX } from './xl-stderr.js';

/**
 * `xl info` (xl_info.c: `"%-23s: %s"`-style `maybe_printf("host                   : %s\n")`)
 * and `xm info` (main.py: `print "%-23s:" % k, v`). Same shape: a key padded with blanks, a
 * colon, a space, the value (possibly empty: `cc_compile_domain      :`).
 * `xl info -n` appends tables (`numa_info              :` then `node:    memsize …` rows,
 * `cpu_topology`, `device topology`): those three keys, printed with an empty value, are followed
 * by lines that are not `key : value`; those belong to them and are skipped. They are the only
 * such lines xl prints (xl_cmdimpl.c 4.1 … 4.4, xl_info.c 4.5 … 4.19): every other value, empty
 * (`cc_compile_domain      :`) or not, is one line, so a line after one that is not `key : value`
 * is refused rather than dropped unread. Keys added since (`arm_sve_vector_length`
 * on Arm from 4.18, `xenstore_features` with `xl info -x` from 4.21) are plain key lines.
 * xend of Xen 3.2–4.0 prints node_to_cpu, node_to_memory and node_to_dma32_mem one NUMA node per
 * line (XendNode.format_node_to_cpu/_memory): the first after the key, each further one indented
 * 25 blanks so it sits under the value column. Such a line continues the key above it and is
 * joined to its value with "\n" (`node0:0-3\nnode1:4-7`). xl prints no such lines.
 */
export interface XenInfo {
  /** every key as printed, value trimmed; an xend multi-line value keeps its lines, joined by "\n" */
  readonly raw: Readonly<Record<string, string>>;
  readonly host: string | null;
  readonly release: string | null;
  readonly xenMajor: number | null;
  readonly xenMinor: number | null;
  /** e.g. ".0", "-unstable", ".3-12.el6" */
  readonly xenExtra: string | null;
  /** "4.17.0": from xen_version, else major.minor+extra */
  readonly xenVersion: string | null;
  readonly totalMemoryMiB: number | null;
  readonly freeMemoryMiB: number | null;
  readonly nrCpus: number | null;
  readonly xenCaps: readonly string[];
  readonly xenScheduler: string | null;
  readonly xenCommandline: string | null;
}

// A key starts with a letter and is followed by at least one blank before the colon; table rows
// (`node:    memsize`, `   0:   8000`) have no blank before their colon or start with a blank.
const KV_RE = /^([A-Za-z][A-Za-z0-9_]*(?: [A-Za-z0-9_]+)*)[ \t]+:(?: (.*))?$/;
// the keys `xl info -n` prints tables under (xend prints none)
const TABLE_KEYS: ReadonlySet<string> = new Set(['numa_info', 'cpu_topology', 'device topology']);
const TABLES_IN_WORDS = 'numa_info, cpu_topology and device topology (`xl info -n`)';

export function parseXlInfo(text: string): Result<XenInfo, ParseFailure> {
  return parseInfo('xl', text);
}

export function parseXmInfo(text: string): Result<XenInfo, ParseFailure> {
  return parseInfo('xm', text);
}

/** What a line that is not `key : value` should have been, saying why an indented one is wrong. */
function notKeyValue(tool: 'xl' | 'xm', indented: boolean, after: string | null): string {
  if (tool === 'xl' && after !== null) return `"key : value" (xl prints lines of its own only under ${TABLES_IN_WORDS}; "${after}" above is a key of one line)`;
  if (!indented) return '"key : value"';
  return tool === 'xm'
    ? '"key : value" (an indented line continues the value of the key line above it, and there is none)'
    : `"key : value" (xl info indents only the rows of the tables under ${TABLES_IN_WORDS})`;
}

function parseInfo(tool: 'xl' | 'xm', text: string): Result<XenInfo, ParseFailure> {
  const raw: Record<string, string> = {};
  let inTable = false;
  let seen = 0;
  // the key being read, its value whole only once its xend continuation lines are in
  let last: { key: string; value: string; lineNo: number; line: string } | null = null;
  const lines = splitLines(text);
  const close = (): ParseFailure | null => {
    if (last === null) return null;
    const repeated = repeatedKey(last.key, raw[last.key], last.value);
    if (repeated !== null) return parseFailure(tool, last.lineNo, last.line, repeated);
    raw[last.key] = last.value;
    return null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const m = KV_RE.exec(line);
    const indented = line.startsWith(' ') || line.startsWith('\t');
    if (m === null || (inTable && indented)) {
      if (inTable || (tool === 'xm' && seen === 0 && line.startsWith('WARNING: '))) continue;
      if (tool === 'xm' && indented && last !== null) {
        last.value = last.value === '' ? line.trim() : `${last.value}\n${line.trim()}`;
        continue;
      }
      return err(parseFailure(tool, i + 1, line, notKeyValue(tool, indented, last?.key ?? null)));
    }
    const closed = close();
    if (closed !== null) return err(closed);
    const value = (m[2] ?? '').trim();
    last = { key: m[1] ?? '', value, lineNo: i + 1, line };
    seen++;
    inTable = value === '' && TABLE_KEYS.has(last.key);
  }
  const closed = close();
  if (closed !== null) return err(closed);
  if (seen === 0) return err(parseFailure(tool, 0, text, `\`${tool} info\` "key : value" lines`));
  const missing = ['host', 'xen_major', 'xen_minor', 'total_memory', 'free_memory'].find((k) => raw[k] === undefined);
  // quoted as read, a capture's CRs dropped, as every other refusal here quotes its line
  if (missing !== undefined) return err(parseFailure(tool, 0, lines.join('\n'), missingKey(tool, missing, raw)));
  const int = (k: string): number | null => {
    const v = raw[k];
    return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : null;
  };
  const str = (k: string): string | null => (raw[k] === undefined ? null : (raw[k] ?? null));
  const major = int('xen_major');
  const minor = int('xen_minor');
  const extra = raw['xen_extra'] ?? null;
  const version = raw['xen_version'] || (major !== null && minor !== null ? `${major}.${minor}${extra ?? ''}` : null);
  for (const k of ['xen_major', 'xen_minor', 'total_memory', 'free_memory'] as const) {
    if (int(k) === null) {
      const idx = lines.findIndex((l) => l.startsWith(`${k} `));
      return err(parseFailure(tool, idx + 1, lines[idx] ?? '', `a whole number for ${k}`));
    }
  }
  return ok({
    raw,
    host: str('host'),
    release: str('release'),
    xenMajor: major,
    xenMinor: minor,
    xenExtra: extra,
    xenVersion: version || null,
    totalMemoryMiB: int('total_memory'),
    freeMemoryMiB: int('free_memory'),
    nrCpus: int('nr_cpus'),
    xenCaps: (raw['xen_caps'] ?? '').split(/\s+/).filter((s) => s !== ''),
    xenScheduler: str('xen_scheduler'),
    xenCommandline: str('xen_commandline'),
  });
}

/**
 * What a missing key says. A cut-off output loses its tail; the version and memory keys come in
 * the middle, so their absence means we did not get the whole answer, with one exception: xl
 * prints uname's keys, then the host's physical info (nr_cpus … free_cpus, the memory among
 * them), then the hypervisor's version keys, which it reads by another call. When the physical
 * info is refused, xl says so on stderr only ("libxl_physinfo failed.") and goes on, so the
 * memory keys are missing while the version keys after them are there: the answer is whole.
 * Xen refuses that sysctl with EACCES, "Permission denied" even to root, when the tools were built
 * for another hypervisor interface than the running one's (Xen upgraded without a reboot, or
 * booted into another release), or when an XSM policy denies it.
 */
function missingKey(tool: 'xl' | 'xm', key: string, raw: Readonly<Record<string, string>>): string {
  const physinfo = key === 'total_memory' || key === 'free_memory';
  if (tool === 'xl' && physinfo && raw['xen_major'] !== undefined) {
    return (
      `key "${key}": xl printed the Xen version but no host physical info (nr_cpus … free_memory), so libxl_get_physinfo failed, its reason on stderr; ` +
      `"Permission denied" as root means Xen refused it: ${TOOLS_MISMATCH_FIX}`
    );
  }
  return `key "${key}" (output truncated?)`;
}

/**
 * The release the agent link reports; null when xen_major or xen_minor is no whole number. The
 * whole version is printed as it came in `hosts` and in a refused migrate, so one that is not a
 * single word of printable ASCII (a control character from a build's extra version string) is
 * reported as major.minor instead.
 */
export function xenRelease(i: Pick<XenInfo, 'xenMajor' | 'xenMinor' | 'xenVersion'>): LinkXen | null {
  if (i.xenMajor === null || i.xenMinor === null || i.xenMajor > 999 || i.xenMinor > 999) return null;
  const version = i.xenVersion !== null && /^[\x21-\x7e]{1,64}$/.test(i.xenVersion) ? i.xenVersion : `${i.xenMajor}.${i.xenMinor}`;
  return { major: i.xenMajor, minor: i.xenMinor, version };
}
