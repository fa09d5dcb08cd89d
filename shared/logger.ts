import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Daemons log to stdout (journald picks it up); one-shot CLI commands log
 * to stderr so that their stdout stays the command's answer. No transports: they need worker
 * threads, which a single-file bundle can't ship.
 */
export function createLogger(options: { name: string; level?: string; fd?: 1 | 2 }): Logger {
  return pino(
    { name: options.name, level: options.level ?? process.env['XENHERD_LOG_LEVEL'] ?? 'info', base: { pid: process.pid } },
    pino.destination({ fd: options.fd ?? 1, sync: true }),
  );
}
