import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';

/** Where root's ssh goes for a name, as `ssh -G NAME` prints it after applying every ssh_config. */
export interface SshRoute {
  /** the `hostname` line: what ssh connects to (a name or an address), after Host/Match rules */
  readonly hostname: string;
  readonly port: number;
}

/**
 * `ssh -G NAME` prints one lower-case `key value` line per option (OpenSSH 6.8 and later) and
 * connects nowhere. Only `hostname` and `port` are read; every other line is left alone, as
 * releases add options.
 */
export function parseSshG(stdout: string): Result<SshRoute, ParseFailure> {
  let hostname: string | null = null;
  let port: number | null = null;
  const lines = stdout.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const m = /^(hostname|port) (.*)$/.exec(line);
    if (!m) continue;
    const value = (m[2] ?? '').trim();
    if (m[1] === 'hostname') {
      if (value === '' || /\s/.test(value)) return err(parseFailure('ssh -G', i + 1, line, 'hostname NAME-OR-ADDRESS'));
      hostname = value;
    } else {
      const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= 65535)) return err(parseFailure('ssh -G', i + 1, line, 'port 1-65535'));
      port = n;
    }
  }
  if (hostname === null || port === null) return err(parseFailure('ssh -G', 0, stdout.slice(0, 200), `"hostname" and "port" lines (${hostname === null ? 'no hostname' : 'no port'})`));
  return ok({ hostname, port });
}
