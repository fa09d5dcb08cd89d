import type { ToolstackKind } from '../../shared/inventory.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseDiskSpec, type DiskSpec } from './domu-config-disk.js';
import { configError, type ConfigFileError } from './domu-config-error.js';
import { builderTypeOf, xlTypeOf, type DomainType } from './domu-config-type.js';
import { parseVifSpec, type VifSpec } from './domu-config-vif.js';
import { parseXlCfg } from './xl-cfg.js';
import { XL_CR_PROBLEM } from './xl-cfg-lexer.js';
import { applyStatements, type CfgAtom, type CfgStatement, type CfgValue } from './xl-cfg-value.js';
import { parseXmCfg } from './xm-cfg.js';

export type { DiskSpec } from './domu-config-disk.js';
export type { ConfigFileError } from './domu-config-error.js';
export type { VifSpec } from './domu-config-vif.js';
export type { CfgAtom, CfgList, CfgValue } from './xl-cfg-value.js';

/** A domU config file as xenherd understands it: every setting, plus a typed view of the ones it uses. */
export interface DomuConfig {
  readonly file: string;
  /** which reader accepted the file: xl.cfg syntax, or the literal subset of an xm (Python) config */
  readonly dialect: 'xl' | 'xm';
  /** every setting after `+=` is applied; the last assignment wins */
  readonly settings: ReadonlyMap<string, CfgValue>;
  readonly name: string;
  readonly memoryMiB: number | null;
  readonly maxmemMiB: number | null;
  readonly vcpus: number | null;
  /** from `type`, else derived from `builder` (hvm → hvm, generic/linux → pv); null when neither is set or the builder is unknown */
  readonly type: DomainType | null;
  readonly builder: string | null;
  readonly kernel: string | null;
  readonly ramdisk: string | null;
  readonly bootloader: string | null;
  readonly extra: string | null;
  readonly disks: readonly DiskSpec[];
  readonly vifs: readonly VifSpec[];
  /** the DRBD resources of all block-drbd disks, in disk order, without repeats */
  readonly drbdResources: readonly string[];
}

/**
 * Whose rules a config is read by. A Dom0's toolstack reads every config there by its own rules
 * (xl: libxl's xl.cfg; xm: xend's Python, where `w!` and a 4th disk field mean something), and
 * the two disagree on files valid in both, so the host's toolstack kind decides, never a guess from
 * the text. 'auto' only where no toolstack answered: xl.cfg syntax first, then the xm literal subset.
 */
export type DomuConfigDialect = ToolstackKind | 'auto';

export interface DomuConfigOptions {
  readonly dialect: DomuConfigDialect;
}

type Read<T> = Result<T, ConfigFileError>;

/** strtol(…, 0) as libxl uses for numbers: decimal, 0x hex, 0 octal; numbers may be quoted. */
function toInteger(atom: CfgAtom): number | null {
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(atom.text);
  if (!m) return null;
  const body = m[2] as string;
  const n = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body.slice(2), 16) : body.length > 1 && body.startsWith('0') ? parseInt(body, 8) : parseInt(body, 10);
  const v = m[1] === '-' ? -n : n;
  return Number.isSafeInteger(v) ? v : null;
}

function readStatements(text: string, file: string, dialect: DomuConfigDialect): Read<{ statements: CfgStatement[]; dialect: 'xl' | 'xm' }> {
  const xl = dialect === 'xm' ? null : parseXlCfg(text);
  if (xl?.ok) return ok({ statements: xl.value, dialect: 'xl' });
  // A file in xl syntax but for its DOS line endings is an xl config, as any file in xl syntax is
  // taken to be; xl refuses it and has no Python fallback, so the xm reader (which takes the
  // endings as Python does) must not be what accepts it.
  if (xl && xl.error.problem === XL_CR_PROBLEM && dialect === 'auto' && parseXlCfg(text.replace(/\r\n?/g, '\n')).ok) {
    return err(configError(file, xl.error.line, xl.error.column, xl.error.problem, xl.error.expected));
  }
  const xm = dialect === 'xl' ? null : parseXmCfg(text);
  if (xm?.ok) return ok({ statements: xm.value, dialect: 'xm' });
  // Prefer the xm reader's explanation when the file is Python beyond literals, or when only it ran.
  if (xm && (!xl || xm.error.pythonCode)) return err(configError(file, xm.error.line, xm.error.column, xm.error.problem, xm.error.expected));
  if (xl && !xl.ok) return err(configError(file, xl.error.line, xl.error.column, xl.error.problem, xl.error.expected));
  return err(configError(file, 1, null, 'no reader ran', 'internal error'));
}

export function parseDomuConfig(text: string, file: string, options: DomuConfigOptions): Read<DomuConfig> {
  const read = readStatements(text, file, options.dialect);
  if (!read.ok) return read;
  const applied = applyStatements(read.value.statements);
  if ('problem' in applied) return err(configError(file, applied.statement.line, null, `\`${applied.statement.key} +=\`: ${applied.problem}`, 'use += with the same kind of value as the first assignment'));
  const settings = applied.settings;

  const atom = (key: string): Read<CfgAtom | null> => {
    const v = settings.get(key);
    if (v === undefined) return ok(null);
    if (v.kind === 'list') return err(configError(file, v.line, v.column, `\`${key}\` is a list`, `\`${key}\` takes a single value, e.g. ${key} = "…"`));
    return ok(v);
  };
  const str = (key: string): Read<string | null> => {
    const a = atom(key);
    return a.ok ? ok(a.value?.text ?? null) : a;
  };
  const int = (key: string, unit: string): Read<number | null> => {
    const a = atom(key);
    if (!a.ok || a.value === null) return a.ok ? ok(null) : a;
    const n = toInteger(a.value);
    if (n === null || n < 0) return err(configError(file, a.value.line, a.value.column, `\`${key}\` is ${JSON.stringify(a.value.text)}, not a whole number`, `a non-negative integer (${unit}), e.g. ${key} = 512`));
    return ok(n);
  };
  const strings = (key: string): Read<CfgAtom[]> => {
    const v = settings.get(key);
    if (v === undefined) return ok([]);
    if (v.kind === 'atom') return err(configError(file, v.line, v.column, `\`${key}\` is a single value`, `\`${key}\` takes a list: ${key} = [ '…', '…' ]`));
    const out: CfgAtom[] = [];
    for (const item of v.items) {
      if (item.kind === 'list') return err(configError(file, item.line, item.column, `\`${key}\` contains a nested list`, `each entry of \`${key}\` is a quoted string`));
      out.push(item);
    }
    return ok(out);
  };
  /** column of a character inside a quoted item (escapes make this approximate; good enough to point) */
  const colIn = (item: CfgAtom, offset: number): number => item.column + (item.quoted ? 1 : 0) + offset;

  const name = str('name');
  if (!name.ok) return name;
  if (name.value === null) return err(configError(file, 1, null, 'no `name` setting', 'add name = "<domU name>" (xl refuses a config without one)'));
  if (!DOMU_NAME_RE.test(name.value)) {
    const at = settings.get('name') as CfgValue;
    return err(configError(file, at.line, at.column, `domU name ${JSON.stringify(name.value)} is not accepted by xenherd`, 'letters, digits, . _ - (starting with a letter or digit, at most 64 characters)'));
  }
  const memory = int('memory', 'MiB');
  if (!memory.ok) return memory;
  const maxmem = int('maxmem', 'MiB');
  if (!maxmem.ok) return maxmem;
  const vcpus = int('vcpus', 'virtual CPUs');
  if (!vcpus.ok) return vcpus;
  const typeText = str('type');
  if (!typeText.ok) return typeText;
  const builder = str('builder');
  if (!builder.ok) return builder;
  let type: DomuConfig['type'] = null;
  if (typeText.value !== null) {
    type = xlTypeOf(typeText.value);
    if (type === null) {
      const at = settings.get('type') as CfgValue;
      return err(configError(file, at.line, at.column, `unknown type ${JSON.stringify(typeText.value)} (xl: "Invalid domain type")`, 'type = "pv", "pvh" or "hvm"'));
    }
  } else if (builder.value !== null) {
    type = builderTypeOf(builder.value);
  }
  const scalars: Record<'kernel' | 'ramdisk' | 'bootloader' | 'extra', string | null> = { kernel: null, ramdisk: null, bootloader: null, extra: null };
  for (const key of ['kernel', 'ramdisk', 'bootloader', 'extra'] as const) {
    const v = str(key);
    if (!v.ok) return v;
    scalars[key] = v.value;
  }

  const diskItems = strings('disk');
  if (!diskItems.ok) return diskItems;
  const disks: DiskSpec[] = [];
  for (const item of diskItems.value) {
    const d = parseDiskSpec(item.text, read.value.dialect);
    if (!d.ok) return err(configError(file, item.line, colIn(item, d.error.offset), `disk ${JSON.stringify(item.text)}: ${d.error.problem}`, d.error.expected));
    disks.push(d.value);
  }
  const vifItems = strings('vif');
  if (!vifItems.ok) return vifItems;
  const vifs: VifSpec[] = [];
  for (const item of vifItems.value) {
    const v = parseVifSpec(item.text, read.value.dialect);
    if (!v.ok) return err(configError(file, item.line, colIn(item, v.error.offset), `vif ${JSON.stringify(item.text)}: ${v.error.problem}`, v.error.expected));
    vifs.push(v.value);
  }
  const drbdResources = [...new Set(disks.flatMap((d) => (d.drbdResource === null ? [] : [d.drbdResource])))];

  return ok({
    file,
    dialect: read.value.dialect,
    settings,
    name: name.value,
    memoryMiB: memory.value,
    maxmemMiB: maxmem.value,
    vcpus: vcpus.value,
    type,
    builder: builder.value,
    ...scalars,
    disks,
    vifs,
    drbdResources,
  });
}
