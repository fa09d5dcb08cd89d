import pino, { type Logger } from 'pino';
import { journalPrefix, writesToJournal, type FdStat } from './journal-stream.js';
import { jsonTextEscaped } from './text/printable.js';

export type { Logger } from 'pino';
export { journalPrefix, prefixLines, writesToJournal, type FdIdentity, type FdStat } from './journal-stream.js';

/** Where the lines go: pino's destination, or a test's. */
export interface LineSink {
  write(line: string): unknown;
}

/**
 * Each line with the priority of the log call that wrote it: pino sets lastLevel on a
 * destination that asks for it (needsMetadata) before it writes the call's line.
 */
function withPriority(sink: LineSink): pino.DestinationStreamWithMetadata {
  const out = {
    [pino.symbols.needsMetadataGsym]: true as const,
    lastLevel: 0,
    lastObj: {},
    lastMsg: '',
    lastTime: '',
    lastLogger: null as unknown as Logger,
    write: (line: string): void => void sink.write(`${journalPrefix(out.lastLevel)}${line}`),
  };
  return out;
}

/**
 * Structured JSON logs. Daemons log to stdout (journald picks it up); one-shot CLI commands log
 * to stderr so that their stdout stays the command's answer. No transports: they need worker
 * threads, which a single-file bundle can't ship. Each line carries the sd-daemon priority
 * prefix when, and only when, that descriptor is the journal (writesToJournal).
 */
export function createLogger(options: { name: string; level?: string; fd?: 1 | 2; env?: Readonly<Record<string, string | undefined>>; stat?: FdStat; sink?: LineSink }): Logger {
  const fd = options.fd ?? 1;
  const env = options.env ?? process.env;
  const dest = options.sink ?? pino.destination({ fd, sync: true });
  // a line quotes other machines' words (an agent's or a peer's message, a tool's output): what
  // JSON leaves raw of them could reorder or steer what `journalctl` or a terminal shows
  const sink: LineSink = { write: (line) => dest.write(jsonTextEscaped(line)) };
  return pino(
    { name: options.name, level: options.level ?? env['XENHERD_LOG_LEVEL'] ?? 'info', base: { pid: process.pid } },
    writesToJournal(env, fd, options.stat) ? withPriority(sink) : sink,
  );
}
