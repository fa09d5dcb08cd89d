/**
 * Exit status after the reader of our output went away: 128 + SIGPIPE, what a shell reports for a
 * Unix tool that SIGPIPE ended (`yes | head -1`), so `set -o pipefail` scripts see xenherdctl and
 * xenherd-agent as they see any other tool, and a truncated answer is never reported as a complete
 * one (0). Node ignores SIGPIPE itself, so it is an exit code, not the signal.
 */
export const BROKEN_PIPE_EXIT = 141;

/**
 * The reader of STREAM closing early (`xenherdctl status | head -1`) ends the program quietly
 * with BROKEN_PIPE_EXIT: nothing is left to say and nowhere to say it (not even stderr, which may
 * be the same pipe). Without a listener the EPIPE would be an unhandled 'error' event: a stack
 * trace and exit 1. Other write errors are not ours to hide: they are thrown as before.
 */
export function endQuietlyOnBrokenPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    exit(BROKEN_PIPE_EXIT);
  });
}

/**
 * For work that must finish whoever listens (the forced `migrate2` mid-migration when its ssh
 * caller drops): a write to a reader that went away is dropped, and the work goes on to its end,
 * recording its outcome in the ledger, unheard.
 */
export function carryOnWhenUnheard(stream: NodeJS.EventEmitter): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
