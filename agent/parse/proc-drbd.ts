import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { repeatedKey } from './repeated-key.js';
import { splitLines } from './tool-lines.js';
import { parseProcDrbdSync, parseProcDrbdVerifyPercent, type ProcDrbdSync } from './proc-drbd-sync.js';
import {
  isDisk,
  isRole,
  Drbd84ConnStateSchema,
  type Drbd84ConnState,
  type DrbdDiskState,
  type DrbdRole,
} from '../../shared/drbd-words.js';

/**
 * `/proc/drbd`. Formats from the kernel's drbd_proc.c:
 *  - 8.3 and 8.4: `version: 8.4.11 (api:1/proto:86-101)`, a build line (`GIT-hash: … build by …`,
 *    `srcversion: …`, or `built-in`), then per minor either `%2d: cs:Unconfigured` or
 *    `%2d: cs:%s ro:%s/%s ds:%s/%s %c %c%c%c%c%c%c` + `    ns:… oos:N`, during a resync or
 *    verify `\t[==>…] sync'ed: 18.6% (a/b)M` (`verified:` for verify) + `\tfinish: h:mm:ss speed: …`,
 *    and with the module's proc_details `\t N% sector pos: …[ stop sector: N]`, `\tresync: used:…`,
 *    `\tact_log: used:…`, then at 2 the resync extent dump (up to 8.4.4) or
 *    `\tblocked on activity log: N` (8.4.5 on). A blank line marks a gap in minor numbers.
 *  - 8.0 to 8.2: the same, but `proto:86` (one protocol version, not a range), `st:` for `ro:`, four
 *    flag letters, and up to 8.3.8 a resync without progress for 20 s prints `\tstalled` where
 *    the finish: line would be. Up to 8.3.9 an online verify prints `\t 42%      done/total`
 *    (8.0 to 8.2: `\t 42% oos:N  done/total`) in place of the sync'ed: and finish: lines.
 *  - 9: the version line (with ` (compat 8.4)` when built so), the build line and
 *    `Transports (api:N): tcp (9.x.y) …`; no per-resource state (legacy 8.4-mode minors excepted).
 */

export interface ProcDrbdVersion {
  /** e.g. "8.4.11", "9.2.12" */
  readonly version: string;
  readonly api: number;
  readonly protoMin: number;
  readonly protoMax: number;
  readonly compat84: boolean;
}

export type ProcDrbdMinor =
  | { readonly minor: number; readonly unconfigured: true }
  | {
      readonly minor: number;
      readonly unconfigured: false;
      readonly cs: Drbd84ConnState;
      readonly role: DrbdRole;
      readonly peerRole: DrbdRole;
      readonly disk: DrbdDiskState;
      readonly peerDisk: DrbdDiskState;
      /** wire protocol; null when no network config (StandAlone, printed as a space) */
      readonly protocol: 'A' | 'B' | 'C' | null;
      /** I/O flags as printed, e.g. "r-----" (s = suspended) */
      readonly flags: string;
      /** ns: nr: dw: … wo: oos: as printed */
      readonly counters: Readonly<Record<string, string>>;
      readonly outOfSyncKiB: number | null;
      readonly sync: ProcDrbdSync | null;
    };

export interface ProcDrbd {
  readonly version: ProcDrbdVersion;
  readonly build: string | null;
  readonly transports: string | null;
  readonly minors: readonly ProcDrbdMinor[];
}

const TOOL = '/proc/drbd';
const VERSION = /^version: (\S+) \(api:(\d+)\/proto:(\d+)(?:-(\d+))?\)( \(compat 8\.4\))?$/;
const UNCONFIGURED = /^ {0,2}(\d+): cs:Unconfigured$/;
const MINOR = /^ {0,2}(\d+): cs:(\S+) (?:ro|st):(\S+)\/(\S+) ds:(\S+)\/(\S+) ([ABC ]) ([rs]\S{3,5})$/;

/** Lines kept only for detail: recognised so that anything else is an error. */
const DETAIL = /^\s+(?:\d+% sector pos: |resync: used:|act_log: used:|blocked on activity log: )/;
/**
 * With proc_details=2, 8.3 and 8.4.0–8.4.4 also dump the resync extent cache after the minor's
 * other lines (lc_seq_dump_details with resync_dump_detail): this heading, whose "\n " puts a space
 * before the first element, then `\t%2d: FREE` or `\t%2d: %4u %4u    %5d NO_WRITES|--------- LOCKED|------`.
 * Nothing in it is used; an element line is taken only after the heading, so that an element
 * can never pass for a line of another kind.
 */
const LRU_HEADING = /^\s+nn: lc_number refcnt rs_left$/;
const LRU_ELEMENT = /^\s+\d+: (?:FREE|\s*\d+ +\d+ +-?\d+ (?:NO_WRITES|-{9}) (?:LOCKED|-{6}))$/;

/** DRBD 0.7's minor line: `ld:` (local disk: Consistent or Inconsistent) where 8.0 prints `ds:` */
const DRBD07_MINOR = /^\s*\d+: cs:\S+ st:\S+ ld:/;

type MinorDraft = { -readonly [K in keyof Extract<ProcDrbdMinor, { unconfigured: false }>]: Extract<ProcDrbdMinor, { unconfigured: false }>[K] };

export function parseProcDrbd(text: string): Result<ProcDrbd, ParseFailure> {
  const lines = splitLines(text);
  const v = VERSION.exec(lines[0] ?? '');
  if (!v || v[1] === undefined) return err(parseFailure(TOOL, text === '' ? 0 : 1, lines[0] ?? '', 'version: X.Y.Z (api:N/proto:A-B)'));
  const version: ProcDrbdVersion = {
    version: v[1],
    api: Number(v[2]),
    protoMin: Number(v[3]),
    protoMax: Number(v[4] ?? v[3]),
    compat84: v[5] !== undefined,
  };
  let build: string | null = null;
  let transports: string | null = null;
  const minors: ProcDrbdMinor[] = [];
  let current: MinorDraft | null = null;
  let inLruDump = false;
  const close = (): void => {
    if (current) minors.push({ ...current });
    current = null;
    inLruDump = false;
  };

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    const fail = (expected: string) => err(parseFailure(TOOL, lineNo, line, expected));
    if (line.trim() === '') continue;
    const un = UNCONFIGURED.exec(line);
    const m = un ? null : MINOR.exec(line);
    if (un) {
      close();
      minors.push({ minor: Number(un[1]), unconfigured: true });
      continue;
    }
    if (m) {
      close();
      const [, minor, cs, role, peerRole, disk, peerDisk, proto, flags] = m;
      const csOk = Drbd84ConnStateSchema.safeParse(cs);
      if (!csOk.success) return fail(`cs: to be a DRBD 8.4 connection state, got ${JSON.stringify(cs)}`);
      if (!role || !peerRole || !isRole(role) || !isRole(peerRole)) return fail('ro: Role/Role with Primary|Secondary|Unknown');
      if (!disk || !peerDisk || !isDisk(disk) || !isDisk(peerDisk)) return fail('ds: Disk/Disk with known disk states');
      current = {
        minor: Number(minor),
        unconfigured: false,
        cs: csOk.data,
        role,
        peerRole,
        disk,
        peerDisk,
        protocol: proto === 'A' || proto === 'B' || proto === 'C' ? proto : null,
        flags: flags ?? '',
        counters: {},
        outOfSyncKiB: null,
        sync: null,
      };
      continue;
    }
    if (i === 1 && build === null && !/^\s/.test(line)) {
      build = line.trimEnd();
      continue;
    }
    if (/^Transports \(api:\d+\):/.test(line)) {
      transports = line;
      continue;
    }
    if (DRBD07_MINOR.test(line)) return fail('a minor line of DRBD 8.0 or later (` 0: cs:… ds:…`); this is DRBD 0.7 (`ld:`), which xenherd does not support');
    if (current === null) return fail('a minor line (` 0: cs:…`)');
    if (/^\s+ns:/.test(line)) {
      const counters: Record<string, string> = {};
      for (const t of line.trim().split(/\s+/)) {
        const c = t.indexOf(':');
        if (c <= 0) return fail('key:value counters');
        const repeated = repeatedKey(t.slice(0, c), counters[t.slice(0, c)], t.slice(c + 1));
        if (repeated !== null) return fail(repeated);
        counters[t.slice(0, c)] = t.slice(c + 1);
      }
      current.counters = counters;
      const oos = counters['oos'];
      current.outOfSyncKiB = oos !== undefined && /^\d+$/.test(oos) ? Number(oos) : null;
      continue;
    }
    if (/^\s+\[[=>.]*\] (?:sync'ed|verified):/.test(line) || /^\s+(?:finish: |stalled$)/.test(line)) {
      const s = parseProcDrbdSync(current.sync, line);
      if (typeof s === 'string') return fail(s);
      current.sync = s;
      continue;
    }
    const verify = parseProcDrbdVerifyPercent(current.sync, line);
    if (verify !== null) {
      current.sync = verify;
      continue;
    }
    if (DETAIL.test(line)) continue;
    if (LRU_HEADING.test(line)) {
      inLruDump = true;
      continue;
    }
    if (inLruDump && LRU_ELEMENT.test(line)) continue;
    return fail('a counters, resync progress or detail line of the minor above');
  }
  close();
  return ok({ version, build, transports, minors });
}
