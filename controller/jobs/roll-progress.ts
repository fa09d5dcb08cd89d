import { ONLINE } from '../../shared/protocol/agent-link-values.js';
import type { PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { foreignRollRefusal } from '../plan/foreign-roll.js';
import { finishedMarks, withProgress, ROLL_RECORD_MAX_AGE_MS } from '../plan/roll-record.js';
import { rollResumes } from '../plan/roll-resume.js';
import type { JobEnv } from './job-env.js';
import type { JobRun } from './job-run.js';

/**
 * One roll's record of the hosts it finished (roll-record.ts), kept through the job env's store:
 * the hosts a stopped roll of the same hosts finished are carried on, each host this run finishes
 * is added as soon as its group is home, and the whole is removed when the roll completes. A
 * store that cannot be read or written is a warning on the job's stream, never its end: the roll
 * then does what it did before it kept records.
 */
export class RollProgress {
  private readonly finished: Map<string, string>;

  constructor(
    private readonly env: JobEnv,
    private readonly job: JobRun | null,
    private readonly hosts: readonly string[],
  ) {
    const { records, problem } = env.rollRecords.load();
    if (problem !== null) this.warn(`the record of stopped rolls is not used: ${problem}`);
    this.finished = finishedMarks(records, env.port.identity, hosts, env.port.clock.now());
  }

  /** The boot id a stopped roll finished HOST on (null: none). */
  mark(host: string): string | null {
    return this.finished.get(host) ?? null;
  }

  /** What the roll does with each of its hosts now (roll-resume.ts), as the roll plan shows it. */
  steps(): NonNullable<PlanOf<'roll'>['steps']> {
    const { port } = this.env;
    return rollResumes(this.hosts, (h) => port.facts().host(h)?.maintenance ?? ONLINE, (h) => port.record(h)?.bootId ?? null, this.finished).map(({ host, step }) => ({ host, step }));
  }

  /** Why this roll must not begin here: another controller's roll was cut on its hosts (plan/foreign-roll.ts); null: it may. */
  foreignRoll(): string | null {
    const { port } = this.env;
    return foreignRollRefusal(this.hosts, (h) => port.facts().host(h)?.maintenance ?? ONLINE, port.identity, (h) => this.finished.has(h));
  }

  /** HOSTS are back online and home, each on the boot its agent reports now. False: not recorded. */
  done(hosts: readonly string[]): boolean {
    for (const h of hosts) {
      const boot = this.env.port.record(h)?.bootId ?? null;
      if (boot !== null) this.finished.set(h, boot);
    }
    return this.save(this.finished) && hosts.every((h) => this.finished.has(h));
  }

  /** The roll completed: nothing of it, nor of the stopped rolls it carried on, is kept. */
  completed(): void {
    this.save(null);
  }

  private save(finished: ReadonlyMap<string, string> | null): boolean {
    const { port } = this.env;
    // a file that could not be read is moved aside by the store before it writes: the warning at the start said so
    const { records } = this.env.rollRecords.load();
    const failed = this.env.rollRecords.save(withProgress(records, port.identity, this.hosts, port.clock.now(), finished));
    if (failed !== null) this.warn(`the roll's progress is not kept (${failed}): asked again, it would drain and reboot its finished hosts again`);
    return failed === null;
  }

  private warn(line: string): void {
    if (this.job !== null) this.job.emit({ type: 'note', level: 'warn', line });
    else this.env.port.log.warn({ event: 'roll-progress' }, line);
  }
}

/** How long a stopped roll's finished hosts are skipped when it is asked again, in words. */
export const KEPT_FOR = `${ROLL_RECORD_MAX_AGE_MS / 3_600_000} h`;
