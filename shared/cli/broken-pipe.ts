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
 * The write errors that only say nobody reads us any more: the pipe's reader closed (EPIPE), a
 * socket's peer reset (ECONNRESET: stdout may be a socketpair, as under sshd), the descriptor is
 * gone (EBADF), the terminal hung up (EIO: the operator's ssh session dropped). Node destroys the
 * stream on the first of them, so nothing more is written to it.
 */
const UNHEARD = new Set(['EPIPE', 'ECONNRESET', 'EBADF', 'EIO']);

/**
 * For work that must finish whoever listens: a migration mid-way (the forced `migrate2` when its
 * ssh caller drops; a controller's `migrate`, `reverse`, `move-stop`, `move-start` when the daemon
 * that started it and held its pipes is restarted or killed). Ending there would leave a moved
 * domU unrecorded, an ALARM for the next agent; so a write to a reader that went away is dropped
 * and the work goes on to its end, recording its outcome in the ledger, unheard. Other write
 * errors are not ours to hide: they are thrown as before.
 */
export function carryOnWhenUnheard(stream: NodeJS.EventEmitter): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === undefined || !UNHEARD.has(e.code)) throw e;
  });
}
