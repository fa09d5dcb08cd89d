import { fstatSync } from 'node:fs';

// Whether a descriptor is systemd's journal stream, and the priority prefix journald reads there.
// Apart from shared/logger.ts (which alone applies it to log lines) so that shared/cli/io.ts can
// mark a command's stderr without pulling pino into xenherdctl's bundle.

/**
 * The sd-daemon priority prefix for a pino level (fatal 60, error 50, warn 40, info 30, debug 20,
 * trace 10): journald reads it from the start of each line of a stream connected to it
 * (SyslogLevelPrefix=, on by default) and strips it, so `journalctl -p err` finds error lines.
 */
export function journalPrefix(level: number): string {
  if (level >= 60) return '<2>'; // crit
  if (level >= 50) return '<3>'; // err
  if (level >= 40) return '<4>'; // warning
  if (level >= 30) return '<6>'; // info
  return '<7>'; // debug
}

/** A descriptor's device and inode (bigint: an inode number may not fit a double). */
export interface FdIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}
export type FdStat = (fd: number) => FdIdentity | null;

const fdIdentity: FdStat = (fd) => {
  try {
    const s = fstatSync(fd, { bigint: true });
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
};

/**
 * Whether FD is the journal stream systemd connected the service to. JOURNAL_STREAM ("DEV:INO",
 * decimal) names that stream, and is inherited by children whose output goes elsewhere (a pipe,
 * a terminal, a test), so FD's own device and inode must match it, as sd_journal_stream_fd(3)
 * says: only then does a line get a prefix; elsewhere the lines stay plain JSON.
 */
export function writesToJournal(env: Readonly<Record<string, string | undefined>>, fd: number, stat: FdStat = fdIdentity): boolean {
  const m = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (m === null) return false;
  const s = stat(fd);
  return s !== null && s.dev === BigInt(m[1] as string) && s.ino === BigInt(m[2] as string);
}

/**
 * TEXT (whole lines) with PREFIX at the start of each line: what a command writes to stderr when
 * stderr is the journal (shared/cli/io.ts), so its error shows at its priority too.
 */
export const prefixLines = (text: string, prefix: string): string => text.replace(/^(?=.)/gm, prefix);
