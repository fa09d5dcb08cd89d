import { invalidDomainId, xlStderrLines } from './xl-stderr.js';

/**
 * What an `xl migrate` run did, read from its stderr and exit code. Every message below is
 * printed by tools/xl/xl_migrate.c (Xen 4.8 … 4.22) or, before 4.8, tools/libxl/xl_cmdimpl.c
 * migrate_domain(), with the same wording since 4.1 (failed-to-suspend since 4.2).
 *
 * Exit codes are only consistent since 4.7 (`exit(EXIT_FAILURE)`); older xl exits with
 * `-ERROR_FAIL` (3) or `-ERROR_BADFAIL` and once even 0 after a failure, so: success needs BOTH
 * the final `Migration successful.` line AND exit code 0; anything else is not success.
 */
export type MigrationOutcomeKind =
  /** `Migration successful.`: the domain runs on the target, the sender's copy is destroyed */
  | 'success'
  /** `Migration failed, resuming at sender.`: transfer broke before the target acknowledged */
  | 'resumed-at-sender'
  /** `Migration failed, failed to suspend at sender.`: guest did not suspend (ERROR_GUEST_TIMEDOUT) or logdirty failed */
  | 'failed-to-suspend'
  /**
   * The target refused or broke before taking over: `Migration failed due to problems at
   * target.` (target reported startup failure; sender resumed), or the receiver never answered
   * (ssh failure, `xl migrate-receive` failing: no final line at all).
   */
  | 'failed-at-target'
  /** `** Migration failed during final handshake **`: state undefined, check both hosts */
  | 'final-handshake'
  /** `No config file stored for running domain and none supplied - cannot migrate.` */
  | 'no-config'
  /** `X is an invalid domain identifier (rc=-6)` */
  | 'no-such-domain'
  /** xl ≤ 4.4 refuses modifying commands while xend runs */
  | 'xend-running'
  | 'unknown';

/** Where to look for the domain afterwards. */
export type DomainWhereabouts = 'source' | 'target' | 'unknown';

export interface MigrationOutcome {
  readonly kind: MigrationOutcomeKind;
  readonly domainAt: DomainWhereabouts;
  /** the line that decided the kind (null when none did) */
  readonly decisiveLine: string | null;
  /** error lines worth showing a person: libxl/xc errors, target messages, ssh complaints */
  readonly errorLines: readonly string[];
  readonly exitCode: number | null;
  /**
   * The file, on the Dom0 that ran the migrate, holding the reason its output leaves out (xend
   * logs a failed save there and prints at most the helper's exit); absent: the output says it.
   */
  readonly reasonLog?: string;
  /** what the decisive line means and where to look, in an operator's words, when the toolstack's own words do not say it */
  readonly meaning?: string;
}

const WHERE: Readonly<Record<MigrationOutcomeKind, DomainWhereabouts>> = {
  success: 'target',
  'resumed-at-sender': 'source',
  'failed-to-suspend': 'source',
  'failed-at-target': 'source',
  'final-handshake': 'unknown',
  'no-config': 'source',
  'no-such-domain': 'unknown',
  'xend-running': 'source',
  unknown: 'unknown',
};

/** Most severe first: the final-handshake banner wins over anything printed before it. */
const RULES: ReadonlyArray<readonly [MigrationOutcomeKind, (line: string) => boolean]> = [
  ['final-handshake', (l) => l === '** Migration failed during final handshake **'],
  ['failed-to-suspend', (l) => l === 'Migration failed, failed to suspend at sender.'],
  ['resumed-at-sender', (l) => l === 'Migration failed, resuming at sender.'],
  ['failed-at-target', (l) => l === 'Migration failed due to problems at target.'],
  ['no-config', (l) => l.startsWith('No config file stored for running domain and none supplied')],
  ['no-such-domain', (l) => invalidDomainId(l) !== null || /^Error: Domain '.*' does not exist\.$/.test(l)],
  ['xend-running', (l) => l.startsWith('xend is running, which may cause unpredictable results')],
  ['success', (l) => l === 'Migration successful.'],
];

// The sender reads the receiver's banner first; when that fails (ssh refused, host unknown,
// xl missing on the target) libxl logs one of these and xl exits without a final line.
const PREAMBLE_FAILURE_RE =
  /contained unexpected data instead of banner|truncated reading banner|failed to read banner|migration receiver stream|^ssh: |Permission denied|Host key verification failed|Connection (refused|timed out|closed)|No route to host|command not found|^migration target: (Domain creation failed|Failure|Failed)/;

const ERROR_LINE_RE = /error|failed|failure|refused|denied|cannot|can't|not found|timed out|exceeds|No route|unexpected/i;

export function classifyXlMigrate(stderr: string, exitCode: number | null): MigrationOutcome {
  const lines = xlStderrLines(stderr);
  const errorLines = lines.filter((l) => l !== '' && ERROR_LINE_RE.test(l) && !RULES.some(([, test]) => test(l)));
  for (const [kind, test] of RULES) {
    const line = lines.find(test);
    if (line === undefined) continue;
    // Success only with exit 0; a success line with a failing exit code is contradictory.
    const decided: MigrationOutcomeKind = kind === 'success' && exitCode !== 0 ? 'unknown' : kind;
    return { kind: decided, domainAt: WHERE[decided], decisiveLine: line, errorLines, exitCode };
  }
  const preamble = exitCode !== 0 ? lines.find((l) => PREAMBLE_FAILURE_RE.test(l)) : undefined;
  if (preamble !== undefined && !lines.includes('migration sender: Target has acknowledged transfer.')) {
    return { kind: 'failed-at-target', domainAt: 'source', decisiveLine: preamble, errorLines, exitCode };
  }
  return { kind: 'unknown', domainAt: 'unknown', decisiveLine: null, errorLines, exitCode };
}
