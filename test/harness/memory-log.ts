import pino from 'pino';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';

/** A log line as pino writes it. */
export type LogLine = Record<string, unknown> & { level: number; msg: string; time: number };

/**
 * A pino logger whose lines land in an array, stamped with the injected clock: what an agent core
 * logs inside a test is the same JSON the real process writes to journald.
 */
export function memoryLogger(clock: Clock, name: string, base: Record<string, unknown> = {}): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino(
    { name, level: 'debug', base, timestamp: () => `,"time":${clock.now()}` },
    { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
  );
  return { log, lines };
}
