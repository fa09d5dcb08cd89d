import { err, ok, type Result } from '../../shared/result.js';

/**
 * One `vif = [...]` entry as xl reads it (tools/xl/xl_parse.c parse_nic_config): comma-separated
 * `key=value` options, leading spaces ignored, empty parts skipped, plus the flags `trusted` and
 * `untrusted`. `''` is a valid vif with all defaults.
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

export function parseVifSpec(spec: string): Result<VifSpec, VifSpecError> {
  const options: Record<string, string> = Object.create(null) as Record<string, string>;
  let offset = 0;
  for (const part of spec.split(',')) {
    const at = offset;
    offset += part.length + 1;
    const token = part.replace(/^ +/, '');
    if (token === '' || token === 'trusted' || token === 'untrusted') continue;
    const eq = token.indexOf('=');
    if (eq <= 0) {
      return err({ offset: at + part.length - token.length, problem: `unrecognized vif argument ${JSON.stringify(token)}`, expected: 'key=value options such as mac=00:16:3e:..., bridge=xenbr0, ip=..., vifname=...' });
    }
    options[token.slice(0, eq)] = token.slice(eq + 1);
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
