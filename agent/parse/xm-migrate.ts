import { splitLines } from './tool-lines.js';
import type { MigrationOutcome, MigrationOutcomeKind } from './xl-migrate.js';

/**
 * `xm migrate --live DOMAIN HOST` (xend). xm prints nothing on success; a failure comes back
 * from xend as an XML-RPC fault that main.py prints as `Error: <faultString>` followed by the
 * command's usage text, exit 1 (an unknown domain: `Error: Domain 'X' does not exist.`,
 * exit 3 = XendClient.ERROR_INVALID_DOMAIN). XendDomain.domain_migrate raises
 * `can't connect: <reason>` when the target's relocation server does not answer: nothing moved.
 */
export function classifyXmMigrate(stderr: string, exitCode: number | null): MigrationOutcome {
  const lines = splitLines(stderr).map((l) => l.trim());
  const errors = lines.filter((l) => l.startsWith('Error: '));
  const first = errors[0];
  const out = (kind: MigrationOutcomeKind, domainAt: MigrationOutcome['domainAt'], line: string | null): MigrationOutcome => ({
    kind,
    domainAt,
    decisiveLine: line,
    errorLines: errors,
    exitCode,
  });
  if (first === undefined) return exitCode === 0 ? out('success', 'target', null) : out('unknown', 'unknown', null);
  if (/^Error: Domain '.*' does not exist\.$/.test(first)) return out('no-such-domain', 'unknown', first);
  if (/^Error: can't connect: /.test(first)) return out('failed-at-target', 'source', first);
  if (/^Error: Unable to connect to xend/.test(first)) return out('unknown', 'source', first);
  return out('unknown', 'unknown', first);
}
