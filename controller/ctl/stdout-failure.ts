import { BROKEN_PIPE_EXIT } from '../../shared/cli/broken-pipe.js';
import { exitCodeFor } from '../../shared/errors.js';

/**
 * Exit code when the answer could not be written (a full disk, an I/O error, a closed stdout):
 * XH_ERR_FILE's, "a file could not be read or written". Never 1, which for `where` and `ssh`
 * means "not found": a script must not read a lost answer as a negative one.
 */
export const STDOUT_FAILED_EXIT = exitCodeFor('XH_ERR_FILE');

/** "ENOSPC (no space left on device)", from Node's "ENOSPC: no space left on device, write". */
export function describeWriteError(e: NodeJS.ErrnoException): string {
  const code = e.code ?? 'error';
  const why = /^[A-Z0-9_]+: (.+?)(, \w+)?$/.exec(e.message)?.[1];
  return why === undefined || why === code ? code : `${code} (${why})`;
}

export const stdoutFailureLine = (e: NodeJS.ErrnoException): string => `xenherdctl: cannot write the answer to standard output: ${describeWriteError(e)}\n`;

export interface OutputEnd {
  readonly writeStderr: (text: string) => void;
  readonly exit: (code: number) => void;
  /** the exit code for a failed write other than EPIPE (check, a Nagios plugin, has only 0 to 3) */
  readonly failedExit: number;
  /** the exit code when the reader went away (EPIPE); absent: 141, as a Unix tool's (check: 3) */
  readonly brokenPipeExit?: number;
}

/**
 * How a failed write to stdout ends the program, whichever way Node reports it: thrown from the
 * write itself (a file: its writes are synchronous) or as an 'error' event (a pipe, a terminal).
 * EPIPE is the reader leaving: quiet, 141 (broken-pipe.ts), or brokenPipeExit. Anything else is one line on stderr
 * instead of an uncaught exception's dump of the bundle and exit 1.
 */
export function endOnWriteError(e: unknown, end: OutputEnd): void {
  const errno = e as NodeJS.ErrnoException;
  if (errno?.code === 'EPIPE') return end.exit(end.brokenPipeExit ?? BROKEN_PIPE_EXIT);
  try {
    end.writeStderr(stdoutFailureLine(errno instanceof Error ? errno : new Error(String(e))));
  } catch {
    // stderr broken too: the exit code is all that is left to say it
  }
  end.exit(end.failedExit);
}

/** WRITE (a stream's write), whose failures, thrown or emitted on STREAM, end the program as endOnWriteError says. */
export function guardedWrite(stream: NodeJS.EventEmitter, write: (text: string) => void, end: OutputEnd): (text: string) => void {
  stream.on('error', (e: unknown) => endOnWriteError(e, end));
  return (text) => {
    try {
      write(text);
    } catch (e) {
      endOnWriteError(e, end);
    }
  };
}
