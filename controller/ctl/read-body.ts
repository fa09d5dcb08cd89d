import type { IncomingMessage } from 'node:http';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * The largest answer xenherdctl reads. The controller's largest is a `domains` listing of a
 * 2,000-host, 40,000-domU fleet, about 16 MB: four times that is room to grow, and a server that
 * sends more is not a controller answering a question (it would otherwise be read into memory whole).
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Why a body was not read: the connection ended first, the deadline passed, or it was too large. */
export type BodyFailure = 'closed' | 'late' | 'too-big';

/**
 * RES's whole body as UTF-8, at most MAX_BYTES (beyond them, or a larger content-length, the
 * connection is ended at once); SIGNAL aborting (a deadline) ends it too. Never waits longer
 * than the connection or the signal: a server that sends its headers and stalls cannot hold it.
 */
export function readBody(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Result<string, BodyFailure>> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Result<string, BodyFailure>): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', late);
      resolve(r);
    };
    const stop = (why: BodyFailure): void => {
      finish(err(why));
      res.destroy();
    };
    const late = (): void => stop('late');
    if (signal.aborted) return late();
    signal.addEventListener('abort', late, { once: true });
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > maxBytes) return stop('too-big');
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) return stop('too-big');
      chunks.push(c);
    });
    res.on('end', () => finish(ok(Buffer.concat(chunks).toString('utf8'))));
    res.on('error', () => finish(err('closed')));
    res.on('aborted', () => finish(err('closed')));
    res.on('close', () => finish(err('closed')));
  });
}
