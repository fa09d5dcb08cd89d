import type { CliIo } from '../../shared/cli/io.js';
import type { JobEventAsRead } from '../../shared/protocol/ctl-jobs-read.js';
import { BIN } from './context.js';

/** `--reboot-command 'ssh root@{host} reboot'`: the words, {host} replaced (or the host appended). */
export const rebootArgv = (words: readonly string[], host: string): string[] => (words.some((w) => w.includes('{host}')) ? words.map((w) => w.replaceAll('{host}', host)) : [...words, host]);

/**
 * roll's --reboot-command: run once per host per roll, and only for a reboot the job asks for
 * while this xenherdctl watches. A xenherdctl that attached to a roll already running (`job`
 * event with attached: true) is sent the job's history first, and nothing in the stream marks
 * where that replay ends: a `reboot` there may be one the first xenherdctl ran long ago, its host
 * since back and being restored; power-cycling it again kills what was just restored. So an
 * attached follower runs nothing and says so (the one that started the roll runs the command).
 */
export class RollReboots {
  private attached: boolean | null = null;
  private jobId = '?';
  private readonly asked = new Set<string>();
  private readonly runs: Promise<void>[] = [];

  constructor(
    private readonly io: CliIo,
    private readonly words: readonly string[] | null,
    private readonly run: ((argv: readonly string[]) => Promise<number>) | undefined,
  ) {}

  event(e: JobEventAsRead): void {
    if (e.type === 'job') {
      this.attached = e.attached;
      this.jobId = e.jobId;
    }
    if (e.type !== 'reboot' || this.words === null || this.words.length === 0 || !this.run) return;
    for (const host of e.hosts) {
      // once per host per roll, whatever the stream repeats
      if (this.asked.has(host)) continue;
      this.asked.add(host);
      if (this.attached !== false) this.skip(host);
      else this.start(host, this.run);
    }
  }

  /** Resolves when every reboot command started has ended. */
  async settled(): Promise<void> {
    await Promise.all(this.runs);
  }

  private start(host: string, run: (argv: readonly string[]) => Promise<number>): void {
    const argv = rebootArgv(this.words as readonly string[], host);
    this.runs.push(
      run(argv).then((code) => {
        // `ssh HOST reboot` often ends 255 when the connection drops: only a warning
        if (code !== 0) this.io.stderr(`${BIN}: warning: ${argv.join(' ')} exited ${code}; still waiting for ${host} to come back\n`);
      }),
    );
  }

  private skip(host: string): void {
    this.io.stderr(
      `${BIN}: not running the reboot command for ${host}: this xenherdctl attached to roll ${this.jobId}, already running, and cannot tell whether its reboot of ${host} was asked for before it attached (the xenherdctl that started the roll ran the command then, and ${host} may be back and restoring) or just now; ` +
        `if the roll still waits for ${host} (no "back; restoring" line for its group follows), reboot ${host} yourself\n`,
    );
  }
}
