import type { DomainType, GuestConfig } from '../model/types.js';
import { readVifs } from './vif-reader.js';

/**
 * A tiny literal reader of xl.cfg files, enough for `xl create` in the simulator: name, memory,
 * vcpus, the DRBD resources named by the disk list ('drbd:RES,xvda,w' or '…target=RES'), and the
 * settings `xl list -l` prints back (the vif list: vif-reader.ts), read as Xen 4.17.7's tools/xl/xl_parse.c parse_config_data
 * reads them (its messages, in its order).
 */
export interface CfgSummary {
  readonly name: string | null;
  readonly memMiB: number;
  readonly vcpus: number;
  readonly drbd: string[];
  readonly guest: GuestConfig;
  /** what xl prints on stderr while it parses a config it accepts */
  readonly notes: string;
  /** xl's message when it refuses the config (it then exits 1), else null */
  readonly refusal: string | null;
}

interface Setting { readonly value: string; readonly quoted: boolean }

/** xl_parse.c compares with strncmp(buf, word, strlen(buf)): any prefix of the word names it, "" too */
const names = (buf: string, word: string): boolean => word.startsWith(buf);

type Typed = { readonly type: DomainType } | { readonly refusal: string };

function domainType(type: string | null, builder: string | null): Typed {
  let t: DomainType | null = null;
  if (type !== null) {
    if (names(type, 'hvm')) t = 'hvm';
    else if (names(type, 'pv')) t = 'pv';
    else if (names(type, 'pvh')) t = 'pvh';
    else return { refusal: `Invalid domain type ${type}.\n` };
  }
  // `builder` (deprecated since Xen 4.10) is still read: "hvm" or "generic" (PV)
  if (builder !== null) {
    const b: DomainType | null = names(builder, 'hvm') ? 'hvm' : names(builder, 'generic') ? 'pv' : null;
    if (b === null) return { refusal: `Invalid domain type ${builder}.\n` };
    if (t !== null && t !== b) return { refusal: 'Contradicting "builder" and "type" options specified.\n' };
    t = b;
  }
  // xl's default on x86 when neither is given (PVH only on Arm)
  return { type: t ?? 'pv' };
}

/** xl's names for the on_* actions → libxl's enum strings, which `xl list -l` prints */
const ACTIONS: Readonly<Record<string, string>> = {
  destroy: 'destroy', restart: 'restart', 'rename-restart': 'restart_rename', preserve: 'preserve',
  'coredump-destroy': 'coredump_destroy', 'coredump-restart': 'coredump_restart', 'soft-reset': 'soft_reset',
};
const TSC_MODES = ['default', 'always_emulate', 'native', 'native_paravirt'] as const;

export function readCfg(text: string, overrides: readonly string[] = []): CfgSummary {
  const body = [text.replace(/#[^\n]*/g, ''), ...overrides].join('\n');
  const setting = (key: string): Setting | null => {
    const m = new RegExp(`(?:^|[\\n;])\\s*${key}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s;]+))`).exec(body);
    if (!m) return null;
    return m[4] !== undefined ? { value: m[4], quoted: false } : { value: m[2] ?? m[3] ?? '', quoted: true };
  };
  const scalar = (key: string): string | null => setting(key)?.value ?? null;
  const list = (key: string): string[] | null => {
    const items = new RegExp(`(?:^|[\\n;])\\s*${key}\\s*=\\s*\\[([\\s\\S]*?)\\]`).exec(body)?.[1];
    return items === undefined ? null : [...items.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
  };
  const drbd: string[] = [];
  for (const spec of list('disk') ?? []) {
    const t = /target=(.*)$/.exec(spec);
    if (t && /script=block-drbd/.test(spec)) drbd.push(t[1]!.trim());
    else {
      const d = /^drbd:([^,]+)/.exec(spec.trim());
      if (d) drbd.push(d[1]!);
    }
  }
  const base = { name: scalar('name'), memMiB: Number(scalar('memory') ?? 128), vcpus: Number(scalar('vcpus') ?? 1), drbd };
  let notes = '';
  const refuse = (refusal: string): CfgSummary => ({ ...base, guest: defaultGuest('pv'), notes, refusal });

  const typed = domainType(scalar('type'), scalar('builder'));
  if ('refusal' in typed) return refuse(typed.refusal);
  const actions: string[] = [];
  for (const [key, dflt] of [['on_poweroff', 'destroy'], ['on_reboot', 'restart'], ['on_watchdog', 'destroy'], ['on_crash', 'destroy'], ['on_soft_reset', 'soft-reset']] as const) {
    const word = scalar(key) ?? dflt;
    const action = ACTIONS[word];
    if (action === undefined) return refuse(`Unknown ${key} action "${word}" specified\n`);
    actions.push(action);
  }
  let tscMode: string | null = null;
  const tsc = setting('tsc_mode');
  if (tsc && !tsc.quoted && /^-?\d+$/.test(tsc.value)) {
    const l = Number(tsc.value);
    const known = TSC_MODES[l];
    notes += `WARNING: specifying "tsc_mode" as an integer is deprecated. Please use the named parameter variant. ${known ? `e.g. tsc_mode="${known}"` : ''}\n`;
    if (known === undefined) return refuse(`ERROR: invalid value ${l} for "tsc_mode"\n`);
    tscMode = known;
  } else if (tsc) {
    notes += `got a tsc mode string: "${tsc.value}"\n`;
    // libxl's enum parser ignores case
    const known = TSC_MODES.find((m) => m === tsc.value.toLowerCase());
    if (known === undefined) return refuse(`ERROR: invalid value "${tsc.value}" for "tsc_mode"\n`);
    tscMode = known;
  }
  const cmdline = scalar('cmdline');
  const root = scalar('root');
  const extra = scalar('extra');
  if (cmdline !== null && (root !== null || extra !== null)) notes += 'Warning: ignoring root= and extra= in favour of cmdline=\n';
  const vifs = readVifs(list('vif') ?? []);
  notes += vifs.notes;
  if (vifs.refusal !== null) return refuse(vifs.refusal);
  const [onPoweroff, onReboot, onWatchdog, onCrash, onSoftReset] = actions as [string, string, string, string, string];
  const guest: GuestConfig = {
    type: typed.type,
    kernel: scalar('kernel'),
    ramdisk: scalar('ramdisk'),
    cmdline: cmdline ?? (root !== null ? (extra !== null ? `root=${root} ${extra}` : `root=${root}`) : extra),
    bootloader: scalar('bootloader'),
    tscMode: tscMode === 'default' ? null : tscMode,
    onPoweroff, onReboot, onWatchdog, onCrash, onSoftReset,
    nics: vifs.nics,
  };
  return { ...base, guest, notes, refusal: null };
}

/** A config that sets nothing but its type: what xl_parse.c fills in by itself */
export function defaultGuest(type: DomainType): GuestConfig {
  return {
    type, kernel: null, ramdisk: null, cmdline: null, bootloader: null, tscMode: null,
    onPoweroff: 'destroy', onReboot: 'restart', onWatchdog: 'destroy', onCrash: 'destroy', onSoftReset: 'soft_reset', nics: [],
  };
}
