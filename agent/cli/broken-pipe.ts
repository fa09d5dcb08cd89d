import { carryOnWhenUnheard, endQuietlyOnBrokenPipe } from '../../shared/cli/broken-pipe.js';

/**
 * The commands that move a domU and record it in the ledgers of both Dom0s. Stopped mid-way by a
 * reader going away, each would leave its move unrecorded (an `inflight` record whose process is
 * gone: an ALARM). Their reader is often the daemon that ran them for a controller
 * (agent/run/command-process.ts), and a routine `systemctl restart` or package upgrade ends it
 * while the child goes on (KillMode=process): the child must outlive its pipes as well.
 */
export const CARRY_ON_COMMANDS: ReadonlySet<string> = new Set(['migrate', 'reverse', 'move-stop', 'move-start', 'migrate2']);

/**
 * What xenherd-agent does when the reader of its output goes away (`xenherd-agent status ALL |
 * head -1`), by command: a one-shot command ends quietly (shared/cli/broken-pipe.ts); a command
 * that moves a domU (CARRY_ON_COMMANDS) carries on to the end of its move and records it, unheard,
 * with the exit code of its outcome (nobody may be left to read it, and a migration's code says
 * more than 141 would); the daemon (`run`) is left as it is: its stdout is the journal, and
 * systemd restarts it if that ever breaks.
 */
export function onBrokenPipe(command: string | undefined, streams: readonly NodeJS.EventEmitter[], exit: (code: number) => void): void {
  if (command === 'run') return;
  for (const s of streams) {
    if (command !== undefined && CARRY_ON_COMMANDS.has(command)) carryOnWhenUnheard(s);
    else endQuietlyOnBrokenPipe(s, exit);
  }
}
