import { journalPrefix, prefixLines, writesToJournal } from '../journal-stream.js';

/** Where a command writes; injected so tests can capture it and the composition root owns process.* */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Under systemd a daemon's stderr is the journal: what a command writes there is why it failed
 * (XH_ERR_CONFIG naming the key, ...), so each line goes at priority err, like an error log line,
 * and `journalctl -p err` shows it. In a terminal or a pipe it is written as it is.
 */
export const processIo = (): CliIo => {
  const errors = writesToJournal(process.env, 2) ? journalPrefix(50) : '';
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(errors === '' ? t : prefixLines(t, errors)),
    env: process.env,
  };
};
