import { diskDrbdResource } from './drbd-device-path.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseXmDiskSpec } from './domu-config-disk-xm.js';

/**
 * One `disk = [...]` entry, read the way libxl reads it (tools/libs/util/libxlu_disk_l.l and
 * docs/man/xl-disk-configuration.5.pod.in; an xm config's entry is read by xend's rules instead,
 * domu-config-disk-xm.ts): comma-separated keyword=value pairs, flags and the
 * positional parameters target, format, vdev, access; deprecated prefixes (`phy:`, `file:`,
 * `tap:aio:`, …) are stripped, `drbd:`/`iscsi:`/`nbd:`/`enbd:` mean script=block-<prefix>; after a
 * prefix the second positional is the vdev, not the format; `target=` swallows the rest.
 */
export interface DiskSpec {
  /** the entry exactly as written */
  readonly spec: string;
  readonly vdev: string;
  readonly access: 'rw' | 'ro';
  /** null only for an empty cdrom drive */
  readonly target: string | null;
  readonly format: string;
  readonly devtype: 'disk' | 'cdrom';
  /** e.g. "block-drbd" (from `drbd:` or `script=`) */
  readonly script: string | null;
  /** the domain serving the disk (xl's backend=, xm's 4th field); null: Domain-0 */
  readonly backend: string | null;
  readonly backendtype: string | null;
  /** the DRBD resource when the disk goes through block-drbd or is /dev/drbd/by-res/RES[/VOL], else null */
  readonly drbdResource: string | null;
}

export interface DiskSpecError {
  /** 0-based offset of the offending part within the spec */
  readonly offset: number;
  readonly problem: string;
  readonly expected: string;
}

const FORMATS = new Set(['raw', 'qcow', 'qcow2', 'vhd', 'empty', 'qed']);
const BACKENDTYPES = new Set(['phy', 'tap', 'qdisk', 'standalone']);
const FLAGS = new Set(['cdrom', 'direct-io-safe', 'discard', 'no-discard', 'colo', 'no-colo', 'trusted', 'untrusted']);
const STRING_KEYS = new Set(['backend', 'vdev', 'script', 'colo-host', 'colo-export', 'active-disk', 'hidden-disk']);
const SCRIPT_PREFIXES = /^(iscsi|e?nbd|drbd):/;
const FORMAT_PREFIXES = /^(raw|qcow2?|vhd):/;
const IGNORED_PREFIXES = /^(tapdisk|tap2?|aio|ioemu|file|phy):/;

/** DIALECT 'xm' (a config only xend reads) is read by xend's rules, which are not libxl's. */
export function parseDiskSpec(spec: string, dialect: 'xl' | 'xm' = 'xl'): Result<DiskSpec, DiskSpecError> {
  if (dialect === 'xm') return parseXmDiskSpec(spec);
  const s: { target?: string; format?: string; vdev?: string; script?: string; backend?: string; backendtype?: string } = {};
  let readwrite = true;
  let accessSet = false;
  let cdrom = false;
  let hadPrefix = false;
  let p = 0;
  const fail = (offset: number, problem: string, expected: string): Result<DiskSpec, DiskSpecError> => err({ offset, problem, expected });
  /** libxl's savestring: an empty earlier value may be overwritten, a non-empty one may not */
  const save = (key: 'target' | 'vdev' | 'script' | 'backend', value: string, at: number): DiskSpecError | null => {
    const prev = s[key];
    if (prev !== undefined && prev !== '') return { offset: at, problem: `${key} given twice (${JSON.stringify(prev)} and ${JSON.stringify(value)})`, expected: `give ${key} once` };
    s[key] = value;
    return null;
  };
  const setFormat = (value: string, at: number): DiskSpecError | null => {
    const f = value === '' ? 'raw' : value;
    if (!FORMATS.has(f)) return { offset: at, problem: `unknown format ${JSON.stringify(value)}`, expected: 'one of raw, qcow, qcow2, vhd, qed (did you mean a vdev? a target without a prefix needs ",," or "format=": /dev/vg/x,,xvda,w)' };
    if (s.format !== undefined && s.format !== f) return { offset: at, problem: `format given twice (${s.format} and ${f})`, expected: 'give the format once' };
    s.format = f;
    return null;
  };
  const setAccess = (value: string, at: number): DiskSpecError | null => {
    if (value === 'r' || value === 'ro') readwrite = false;
    else if (value === 'w' || value === 'rw' || value === '') readwrite = true;
    else return { offset: at, problem: `unknown access ${JSON.stringify(value)}`, expected: value === 'w!' ? "r, ro, w or rw (w! is xm's: xl has no such mode)" : 'r, ro, w or rw' };
    return null;
  };
  const vdevAndDevtype = (value: string, at: number): DiskSpecError | null | false => {
    const colon = value.lastIndexOf(':');
    if (colon < 0) return false;
    const type = value.slice(colon + 1);
    if (type !== 'cdrom' && type !== 'disk') return { offset: at + colon + 1, problem: `unknown device type ${JSON.stringify(type)} after the vdev`, expected: 'vdev:cdrom or vdev:disk' };
    cdrom = type === 'cdrom';
    return save('vdev', value.slice(0, colon), at);
  };

  while (p < spec.length) {
    const rest = spec.slice(p);
    const ws = /^[ \t\n]+/.exec(rest);
    if (ws) {
      p += ws[0].length;
      continue;
    }
    if (rest.startsWith('target=')) {
      // the magic parameter: everything after it, trailing whitespace included (one trailing comma dropped)
      const e = save('target', rest.slice('target='.length).replace(/,$/, ''), p);
      if (e) return err(e);
      break;
    }
    const token = /^[^,]*/.exec(rest)?.[0] ?? '';
    const advance = token.length + (rest[token.length] === ',' ? 1 : 0);
    const kv = /^([a-z][-a-z0-9_]*)=(.*)$/.exec(token);
    let e: DiskSpecError | null | false = null;
    if (kv) {
      const key = kv[1] as string;
      const value = kv[2] as string;
      const at = p + key.length + 1;
      if (key === 'format') e = setFormat(value, at);
      else if (key === 'access') e = setAccess(value, at);
      else if (key === 'devtype') {
        if (value === 'cdrom' || value === 'disk') cdrom = value === 'cdrom';
        else e = { offset: at, problem: `unknown devtype ${JSON.stringify(value)}`, expected: 'devtype=cdrom or devtype=disk' };
      } else if (key === 'backendtype') {
        if (BACKENDTYPES.has(value)) s.backendtype = value;
        else e = { offset: at, problem: `unknown backendtype ${JSON.stringify(value)}`, expected: 'phy, tap, qdisk or standalone' };
      } else if (key === 'vdev' || key === 'script' || key === 'backend') e = save(key, value, at);
      else if (STRING_KEYS.has(key) || key === 'specification' || key === 'colo-port' || key === 'grant_usage') e = null;
      else e = { offset: p, problem: `unknown parameter ${JSON.stringify(key)}`, expected: 'a parameter from xl-disk-configuration(5): format, vdev, access, devtype, backend, backendtype, script, target, …' };
      p += advance;
    } else if (FLAGS.has(token)) {
      if (token === 'cdrom') cdrom = true;
      p += advance;
    } else if (FORMAT_PREFIXES.test(rest) || SCRIPT_PREFIXES.test(rest) || IGNORED_PREFIXES.test(rest)) {
      const m = (FORMAT_PREFIXES.exec(rest) ?? SCRIPT_PREFIXES.exec(rest) ?? IGNORED_PREFIXES.exec(rest)) as RegExpExecArray;
      const name = m[1] as string;
      hadPrefix = true;
      if (FORMAT_PREFIXES.test(rest)) e = setFormat(name, p);
      else if (SCRIPT_PREFIXES.test(rest)) e = save('script', `block-${name}`, p);
      p += m[0].length;
    } else if (/^[a-z][a-z0-9]*:(?=[^a-z0-9]|$)/.test(rest)) {
      return fail(p, `unknown disk prefix ${JSON.stringify(rest.slice(0, rest.indexOf(':') + 1))}`, 'phy:, file:, drbd:, iscsi:, nbd:, raw:, qcow2:, vhd:, tap:, aio: or no prefix');
    } else if (token.includes('=')) {
      return fail(p, `bad disk syntax near ${JSON.stringify(token)}`, 'key=value with a lower-case key, or a positional target,format,vdev,access');
    } else {
      // positional: target, then format (unless a deprecated prefix was used), vdev, access
      if (s.target === undefined) e = save('target', token, p);
      else if (!hadPrefix && s.format === undefined) {
        if (s.target === '' && token.includes(':')) {
          e = vdevAndDevtype(token, p);
          s.format = 'empty';
        } else e = setFormat(token, p);
      } else if (s.vdev === undefined) {
        e = vdevAndDevtype(token, p);
        if (e === false) e = save('vdev', token, p);
      } else if (!accessSet) {
        accessSet = true;
        e = setAccess(token, p);
      } else e = { offset: p, problem: `too many positional parameters at ${JSON.stringify(token)}`, expected: "at most target,format,vdev,access (or a deprecated prefix:target,vdev,access); xm's 4th field, the backend domain, is backend=DOMAIN in xl" };
      p += advance;
    }
    if (e) return err(e);
  }

  if (s.vdev === undefined || s.vdev === '') return fail(0, 'no vdev specified', "name the guest device, e.g. 'drbd:r0,xvda,w' or vdev=xvda");
  const target = s.target === undefined || s.target === '' ? null : s.target;
  if (target === null && !cdrom) return fail(0, 'no target specified (and the device is not a cdrom)', "give the device, file or DRBD resource, e.g. 'phy:/dev/vg/x,xvda,w'");
  const script = s.script === undefined || s.script === '' ? null : s.script;
  const drbd = diskDrbdResource(script, target);
  if ('problem' in drbd) return fail(0, drbd.problem, drbd.expected);
  return ok({
    spec,
    vdev: s.vdev,
    access: cdrom || !readwrite ? 'ro' : 'rw',
    target,
    format: cdrom && target === null ? 'empty' : (s.format ?? 'raw'),
    devtype: cdrom ? 'cdrom' : 'disk',
    script,
    backend: s.backend ?? null,
    backendtype: s.backendtype ?? null,
    drbdResource: drbd.resource,
  });
}
