import type { ParseFailure } from './parse-failure.js';
import type { DrbdStatusResource } from './drbd-status-types.js';

/**
 * `drbdadm status R` (or `drbdsetup status R`) that exited 0 without listing R. drbd-utils never
 * answers so: from 8.9.2 on, both printers' status_cmd end a run that met no resource named R
 * with `R: No such resource` on stderr and exit code 10 (drbdadm adds `Command 'drbdsetup status
 * R' terminated with exit code 10`), and that is how a configured resource that is down reads
 * (drbd-tool-error.ts 'not-up'). An answer of 0 that leaves R out (nothing at all, `# No currently
 * configured DRBD found.`, or only other resources) says nothing about R: it is a failed read, so
 * autostart defers as for any unreadable resource instead of acting on "down".
 */
export function statusWithoutResource(command: readonly string[], name: string, stdout: string, shown: readonly DrbdStatusResource[]): ParseFailure {
  const line = command.join(' ');
  const seen =
    shown.length > 0
      ? `it listed only ${shown.map((r) => r.name).join(', ')}`
      : stdout.trim() === ''
        ? 'it printed nothing'
        : `it printed ${JSON.stringify(stdout.trim().slice(0, 200))}`;
  const expected = `${name} in its output, or "${name}: No such resource" with a non-zero exit when ${name} is not up`;
  return {
    code: 'XH_ERR_TOOL_OUTPUT',
    tool: line,
    line: 0,
    text: stdout,
    expected,
    message:
      `\`${line}\` exited 0 but its output does not show ${name} (${seen}), so ${name}'s state here is unknown, not down: ` +
      `drbd-utils says "${name}: No such resource" and exits 10 for a resource that is not up. ` +
      `Run \`${line}\` on this host and check that it lists ${name} and that this drbdadm is drbd-utils' own (not a wrapper or another program on PATH)`,
  };
}
