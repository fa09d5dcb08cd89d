/** Timestamped progress lines on stderr, seconds since the process started. */
const t0 = Date.now();

export function elapsedS(): number {
  return (Date.now() - t0) / 1000;
}

export function log(msg: string): void {
  process.stderr.write(`[lab ${elapsedS().toFixed(1).padStart(6)}s] ${msg}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
