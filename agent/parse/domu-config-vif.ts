import { err, ok, type Result } from '../../shared/result.js';

/**
 * One `vif = [...]` entry as xl reads it (tools/xl/xl_parse.c parse_nic_config): comma-separated
 * `key=value` options, leading spaces ignored, empty parts skipped, plus the flags `trusted` and
 * `untrusted`. `''` is a valid vif with all defaults. A part without `=` (`'xenbr0'` written for
 * `'bridge=xenbr0'`) xl reports as an unrecognized argument and then ignores, starting the domU
 * all the same, so it is skipped here too; xend refused such a part, so the xm dialect refuses it.
 * xend also stripped the spaces around keys and values (xen-tools writes `'ip=10.0.0.5 ,mac=…'`).
 */
export interface VifSpec {
  readonly spec: string;
  /** every key=value as written (a repeated key keeps its last value, like xl) */
  readonly options: Readonly<Record<string, string>>;
  readonly mac: string | null;
  readonly bridge: string | null;
  readonly ip: string | null;
  readonly vifname: string | null;
}

export interface VifSpecError {
  readonly offset: number;
  readonly problem: string;
  readonly expected: string;
}

export function parseVifSpec(spec: string, dialect: 'xl' | 'xm' = 'xl'): Result<VifSpec, VifSpecError> {
  const options: Record<string, string> = Object.create(null) as Record<string, string>;
  let offset = 0;
  for (const part of spec.split(',')) {
    const at = offset;
    offset += part.length + 1;
    const token = dialect === 'xm' ? part.trim() : part.replace(/^ +/, '');
    if (token === '' || token === 'trusted' || token === 'untrusted') continue;
    const eq = token.indexOf('=');
    if (eq <= 0 && dialect === 'xl') continue;
    if (eq <= 0) {
      return err({ offset: at + part.indexOf(token), problem: `unrecognized vif argument ${JSON.stringify(token)} (xm takes key=value pairs only)`, expected: 'key=value options such as mac=00:16:3e:..., bridge=xenbr0, ip=..., vifname=...' });
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (dialect === 'xm') options[key.trim()] = value.trim();
    else options[key] = value;
  }
  return ok({
    spec,
    options,
    mac: options['mac'] ?? null,
    bridge: options['bridge'] ?? null,
    ip: options['ip'] ?? null,
    vifname: options['vifname'] ?? null,
  });
}
