import { carryOnWhenUnheard, endQuietlyOnBrokenPipe } from '../../shared/cli/broken-pipe.js';

/**
 * What xenherd-agent does when the reader of its output goes away (`xenherd-agent status ALL |
 * head -1`), by command: a one-shot command ends quietly (shared/cli/broken-pipe.ts); the forced
 * `migrate2` carries on to the end of its migration and records it, unheard (a crash there would
 * leave a moved domU unrecorded); the daemon (`run`) is left as it is: its stdout is the journal,
 * and systemd restarts it if that ever breaks.
 */
export function onBrokenPipe(command: string | undefined, streams: readonly NodeJS.EventEmitter[], exit: (code: number) => void): void {
  if (command === 'run') return;
  for (const s of streams) {
    if (command === 'migrate2') carryOnWhenUnheard(s);
    else endQuietlyOnBrokenPipe(s, exit);
  }
}
