import { err, ok, type Result } from '../../shared/result.js';

/**
 * libxl's `/vm/<uuid>/start_time`: when it built the domain, written as "%lu.%02d" of
 * gettimeofday (seconds since the epoch, a dot, hundredths), on `xl create` and again by the
 * receiving side of a migration or restore, so it says since when the domain has run on THIS Dom0.
 * xend writes a key of the same name as Python's str(time.time()) and carries the sender's value
 * across a migration, so the agent reads it under xl only (core/start-times.ts).
 */
const START_TIME = /^(\d{1,13})\.(\d\d)$/;

/** Before 2000 or past what a Date holds: a Dom0 whose clock was not set when it built the domain, or no time at all. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const LATEST_MS = 8.64e15;

/** RAW, as xenstore-read printed it less its newline, as ms since the epoch; an error says what it is not. */
export function parseXenStartTime(raw: string): Result<number, string> {
  const m = START_TIME.exec(raw);
  if (m === null) return err(`${JSON.stringify(raw.slice(0, 40))} is not seconds.hundredths since the epoch`);
  const ms = Number(m[1]) * 1000 + Number(m[2]) * 10;
  if (ms < EARLIEST_MS || ms > LATEST_MS) return err(`${raw} is no time this domain can have started (before 2000 or past what a date holds)`);
  return ok(ms);
}
