import { parseEvents2Line, type Events2Line } from '../parse/events2.js';
import type { ParseFailure } from '../parse/parse-failure.js';
import { startLineStream, type LineStream } from './line-stream.js';
import type { SpawnStream } from './line-stream.js';

/**
 * `drbdsetup events2 all`: the initial dump (`exists …`, ended by `exists -`), then one line per
 * change, forever. Each line goes through the events2 parser; a line we cannot read is reported
 * and the stream carries on (the caller restarts it for a fresh dump). A line longer than the
 * reader's bound (64 KiB, line-stream.ts) ends the stream with an XH_ERR_TOOL_OUTPUT failure in
 * `exited`, like any death of the tool: the caller logs it and respawns. Only call this when
 * /proc/drbd exists: drbdsetup would otherwise `modprobe drbd`.
 */
export interface Events2Handlers {
  readonly onLine: (line: Events2Line) => void;
  readonly onBadLine: (failure: ParseFailure) => void;
}

export const EVENTS2_ARGS = ['events2', 'all'] as const;

export function startDrbdEvents(spawn: SpawnStream, handlers: Events2Handlers, killAfterMs?: number): LineStream {
  return startLineStream(
    spawn,
    'drbdsetup',
    EVENTS2_ARGS,
    (line, lineNo) => {
      if (line === '') return;
      const parsed = parseEvents2Line(line, lineNo);
      if (parsed.ok) handlers.onLine(parsed.value);
      else handlers.onBadLine(parsed.error);
    },
    killAfterMs,
  );
}
