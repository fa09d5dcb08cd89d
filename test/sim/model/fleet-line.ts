import { DOMU_NAME_RE, DRBD_RESOURCE_RE, HOST_NAME_STRICT_RE } from '../../../shared/names.js';

/**
 * One line of a fleet file and the readers of its values. Anyone's hand-typed file reaches these
 * (the playground takes it), so each refusal names the line, the key, what was given and what
 * would do: a value read as something else would start a fleet other than the one written.
 */
export class FleetError extends Error {}

export interface Line { readonly no: number; readonly kind: string; readonly name: string; readonly kv: Readonly<Record<string, string>> }

/** Each line kind's keys, so a misspelt one (memory= for mem=) is named, not silently ignored. */
const KEYS: Readonly<Record<string, readonly string[]>> = {
  option: ['bandwidth', 'connect-delay', 'start'],
  host: ['mem', 'cpus', 'toolstack', 'xen', 'drbd', 'dom0mem', 'dom0vcpus', 'dom0cpu', 'overhead', 'power', 'module', 'migrate-tab', 'next-domid'],
  domu: ['mem', 'vcpus', 'home', 'peer', 'drbd', 'running', 'domid', 'state', 'cpu', 'type'],
  resource: ['minor', 'port', 'two-primaries'],
};
const KINDS = Object.keys(KEYS);

/** "line 4: domu web1" — where a refusal starts; an option line has no name. */
export const at = (l: Line): string => (l.kind === 'option' ? `line ${l.no}: option` : `line ${l.no}: ${l.kind} ${l.name}`);

export function splitLine(text: string, no: number): Line | null {
  const t = text.replace(/#.*$/, '').trim();
  if (!t) return null;
  const [kind = '', first = '', ...more] = t.split(/\s+/);
  // an option line is all key=value pairs: its first word is a pair, not a name
  const [name, rest] = kind === 'option' ? ['', [first, ...more]] : [first, more];
  const where = kind === 'option' ? `line ${no}: option` : `line ${no}: ${kind} ${name}`;
  const kv: Record<string, string> = {};
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FleetError(`line ${no}: expected key=value, got "${item}"`);
    const key = item.slice(0, eq);
    // the last one would win unseen: which of the two was meant is the writer's to say
    if (key in kv) throw new FleetError(`${where}: ${key}= is given twice (${key}=${kv[key]} and ${item}): keep one`);
    kv[key] = item.slice(eq + 1);
  }
  return { no, kind, name, kv };
}

export function checkKeys(l: Line): void {
  const known = KEYS[l.kind];
  if (!known) throw new FleetError(`line ${l.no}: unknown keyword "${l.kind}": a line starts with ${KINDS.join(', ')} (lower case)`);
  const bad = Object.keys(l.kv).find((k) => !known.includes(k) && !(l.kind === 'host' && k.startsWith('info.')));
  if (bad === undefined) return;
  if (l.kind === 'option') throw new FleetError(`line ${l.no}: unknown option ${bad}= (an option line takes ${known.join('= ')}=)`);
  throw new FleetError(`line ${l.no}: ${l.kind} ${l.name}: unknown key ${bad}= (a ${l.kind} line takes ${known.join('= ')}=${l.kind === 'host' ? ' info.KEY=' : ''})`);
}

export function refuse(l: Line, key: string, expected: string): never {
  throw new FleetError(`${at(l)}: ${key}=${l.kv[key] ?? ''}: expected ${expected}`);
}

interface Whole { readonly min: number; readonly max?: number; readonly what: string; readonly dflt?: number }

/** "32G" for mem=: the unit the writer had in mind, turned into the MiB the file wants. */
function inMiB(v: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT])i?B?$/i.exec(v);
  if (!m) return '';
  const mib = Number(m[1]) * { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G' | 'T'];
  return Number.isInteger(mib) && mib > 0 ? ` (${v} is ${mib})` : '';
}

/**
 * A whole number in [min, max]: digits only, since Number() would take "0x10", "1e3" and "" (0).
 * WHAT names the unit, e.g. "a whole number of MiB".
 */
export function whole(l: Line, key: string, o: Whole): number {
  const v = l.kv[key];
  if (v === undefined) {
    if (o.dflt === undefined) throw new FleetError(`${at(l)} needs ${key}= (${o.what})`);
    return o.dflt;
  }
  const n = /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n) || n < o.min || (o.max !== undefined && n > o.max)) {
    const range = o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min === 1 ? ', at least 1' : '';
    refuse(l, key, `${o.what}${range}${/MiB/.test(o.what) ? inMiB(v) : ''}`);
  }
  return n;
}

/** A decimal number >= 0 (> 0 with POSITIVE), e.g. seconds of CPU time or MiB/s. */
export function decimal(l: Line, key: string, what: string, dflt: number, positive = false): number {
  const v = l.kv[key];
  if (v === undefined) return dflt;
  const n = /^\d{1,15}(\.\d{1,15})?$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n) || (positive && n === 0)) refuse(l, key, `${what}${positive ? ' above 0' : ''}`);
  return n;
}

/** One of the spellings the format documents, exactly: "maybe" is not read as yes, "of" not as on. */
export function choice<T extends string>(l: Line, key: string, allowed: readonly T[], dflt: T): T {
  const v = l.kv[key];
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) refuse(l, key, `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]!} (exactly so, lower case)`);
  return v as T;
}

/** The names the rest of xenherd accepts (shared/names.ts): a fleet the agent would refuse teaches nothing. */
export function checkName(l: Line): void {
  const rule = l.kind === 'host'
    ? { re: HOST_NAME_STRICT_RE, what: 'a host name: labels of letters, digits and -, joined by single dots; no label starts or ends with -' }
    : l.kind === 'domu'
      ? { re: DOMU_NAME_RE, what: 'a Xen domU name: a letter or digit, then up to 63 letters, digits, ".", "_" or "-"' }
      : { re: DRBD_RESOURCE_RE, what: 'a DRBD resource name: letters, digits and _ . : + -, not starting with -, at most 128' };
  if (l.name.includes('=') || l.name === '') throw new FleetError(`line ${l.no}: ${l.kind} needs a name before its key=value pairs, e.g. ${l.kind} ${l.kind === 'host' ? 'xen1' : l.kind === 'domu' ? 'web1' : 'r1'} ${l.name}`.trimEnd());
  if (!rule.re.test(l.name)) throw new FleetError(`line ${l.no}: ${l.kind} "${l.name}": expected ${rule.what}`);
}

export function checkResourceName(l: Line, r: string): void {
  if (!DRBD_RESOURCE_RE.test(r)) refuse(l, 'drbd', `comma-separated DRBD resource names (letters, digits and _ . : + -, not starting with -), e.g. drbd=r1,r2; "${r}" is not one`);
}
