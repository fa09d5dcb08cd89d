// Where the controller's resident memory lies at its highest: the JavaScript heap, the memory
// outside it that JavaScript objects hold (Buffers: socket reads, TLS records, ws frames), and the
// pages that map files (code: mostly the node binary's), and the rest, native memory no object
// accounts for (OpenSSL's per-connection state and Node's TLS input buffers, malloc's free lists).
// RSS alone says how much; this says which of those to cut.
import { parsePrometheusText } from '../helpers/prometheus-text-parser.js';
import type { Row } from './table.js';

/** The controller's memory as its /metrics gave it, in bytes. */
export interface MemoryBreakdown {
  readonly resident: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** resident pages that map files, read from /proc beside the scrape; null when not read */
  readonly fileBacked: number | null;
}

const NAMES = {
  resident: 'process_resident_memory_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  external: 'nodejs_external_memory_bytes',
  arrayBuffers: 'nodejs_array_buffers_bytes',
} as const;

/** The memory families of a /metrics answer; throws naming the family a controller without them leaves out. */
export function memoryBreakdown(text: string): MemoryBreakdown {
  const families = parsePrometheusText(text);
  const read = (name: string): number => {
    const v = families.find((f) => f.name === name)?.samples[0]?.value;
    if (v === undefined) throw new Error(`GET /metrics: no ${name} (a controller older than its memory families?)`);
    return v;
  };
  return {
    resident: read(NAMES.resident),
    heapTotal: read(NAMES.heapTotal),
    heapUsed: read(NAMES.heapUsed),
    external: read(NAMES.external),
    arrayBuffers: read(NAMES.arrayBuffers),
    fileBacked: null,
  };
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

/** The bench's row for a breakdown: RSS = heap committed (used) + external (array buffers) + mapped files + the rest. */
export function breakdownRow(what: string, b: MemoryBreakdown): Row {
  // external is counted by what its owners report allocating, the heap by V8's committed pages:
  // both are close to what is resident of them, so the rest is native memory of its own
  const rest = b.resident - b.heapTotal - b.external - (b.fileBacked ?? 0);
  const files = b.fileBacked === null ? ['', ''] : [' + mapped files (code)', ` + ${mb(b.fileBacked)}`];
  return {
    what: `${what}: RSS = heap committed (used) + external (of it array buffers)${files[0]} + the rest, native (TLS, malloc)`,
    measured: `${mb(b.resident)} = ${mb(b.heapTotal)} (${mb(b.heapUsed)}) + ${mb(b.external)} (${mb(b.arrayBuffers)})${files[1]} + ${mb(rest)} MB`,
    target: '(info)',
    pass: true,
  };
}

/**
 * The breakdown at the highest RSS seen: told each RSS sample, it scrapes /metrics when one is
 * STEP_KIB above the highest scraped so far (one scrape at a time), and keeps the scrape whose own
 * resident figure is the highest. A scrape resets the controller's loop-delay and longest-pause
 * figures, so arm it only after the rows that read those.
 */
export class PeakBreakdown {
  private scraped = 0;
  private inFlight: Promise<void> | null = null;
  private best: MemoryBreakdown | null = null;
  private failure: unknown = null;

  constructor(
    private readonly scrape: () => Promise<{ status: number; body: string }>,
    /** the process's resident pages that map files, in bytes, read as its scrape answers */
    private readonly fileBacked: () => number | null = () => null,
    private readonly stepKiB = 8 * 1024,
  ) {}

  seen(rssKiB: number): void {
    if (this.inFlight !== null || rssKiB < this.scraped + this.stepKiB) return;
    this.scraped = rssKiB;
    this.inFlight = this.scrape()
      .then((r) => {
        if (r.status !== 200) throw new Error(`GET /metrics: ${r.status} ${r.body.slice(0, 200)}`);
        const b = { ...memoryBreakdown(r.body), fileBacked: this.fileBacked() };
        if (this.best === null || b.resident > this.best.resident) this.best = b;
      })
      .catch((e: unknown) => void (this.failure ??= e))
      .finally(() => (this.inFlight = null));
  }

  /** The breakdown at the highest RSS scraped, once the scrape under way (if any) has answered; throws what a scrape threw. */
  async peak(): Promise<MemoryBreakdown | null> {
    await this.inFlight;
    if (this.failure !== null) throw this.failure;
    return this.best;
  }
}
