import type { Clock } from '../../shared/clock/clock.js';

/**
 * A controller tells a slow step from a stuck one by its progress lines (at least one every 10 s
 * while a step runs): a tool that prints nothing while it waits — `xl shutdown -w`, `xl create` —
 * gets a line saying how long it has been waiting.
 */
export const PROGRESS_EVERY_MS = 10_000;

export async function whileWaiting<T>(clock: Clock, say: (waitedSeconds: number) => void, work: Promise<T>): Promise<T> {
  const started = clock.now();
  let cancel = (): void => undefined;
  const next = (): void => {
    cancel = clock.schedule(PROGRESS_EVERY_MS, () => {
      say(Math.round((clock.now() - started) / 1000));
      next();
    });
  };
  next();
  try {
    return await work;
  } finally {
    cancel();
  }
}
