// The bench reads the controller's memory from its /metrics: the names must be the ones the
// controller serves, and the peak the scrape with the highest resident figure.
import { describe, expect, it } from 'vitest';
import { processMemoryFamilies, type ProcessMemory } from '../../controller/api/metric-families.js';
import { renderPrometheusText } from '../../controller/api/prometheus-text.js';
import { breakdownRow, memoryBreakdown, PeakBreakdown } from './memory-breakdown.js';
import { procMemory } from './table.js';

const MB = 1e6;
const memory = (resident: number): ProcessMemory => ({ resident, heapTotal: 220 * MB, heapUsed: 180 * MB, external: 30 * MB, arrayBuffers: 12 * MB });
const FILES = 42 * MB;
const answer = (m: ProcessMemory) => ({ status: 200, body: renderPrometheusText(processMemoryFamilies(m)) });

describe("the bench's breakdown of the controller's memory", () => {
  it('reads back what the controller renders, and says the rest outside heap and external', () => {
    const m = memory(375 * MB);
    expect(memoryBreakdown(answer(m).body)).toEqual({ ...m, fileBacked: null });
    expect(breakdownRow('at the peak', { ...m, fileBacked: null }).measured).toBe('375 = 220 (180) + 30 (12) + 125 MB');
    // the node binary's code is resident too, and no native allocation of the process's own
    expect(breakdownRow('at the peak', { ...m, fileBacked: FILES }).measured).toBe('375 = 220 (180) + 30 (12) + 42 + 83 MB');
  });

  it("reads a process's resident pages that map files from /proc: the node binary's code at least", () => {
    const m = procMemory(process.pid);
    expect(m.fileKiB).toBeGreaterThan(1024);
    expect(m.fileKiB).toBeLessThan(m.rssKiB);
  });

  it('names the family a controller without it leaves out', () => {
    const body = answer(memory(375 * MB)).body.replace(/nodejs_array_buffers_bytes/g, 'other_bytes');
    expect(() => memoryBreakdown(body)).toThrow('no nodejs_array_buffers_bytes');
  });

  it('scrapes one at a time, again only a step above the last scrape, and keeps the highest', async () => {
    const asked: ((a: { status: number; body: string }) => void)[] = [];
    const peak = new PeakBreakdown(() => new Promise((resolve) => asked.push(resolve)), () => FILES, 1024);
    peak.seen(300 * 1024);
    peak.seen(400 * 1024);
    expect(asked).toHaveLength(1);
    asked[0]?.(answer(memory(310 * MB)));
    expect(await peak.peak()).toEqual({ ...memory(310 * MB), fileBacked: FILES });
    peak.seen(300 * 1024 + 1023);
    expect(asked, 'less than a step above the last scrape').toHaveLength(1);
    peak.seen(302 * 1024);
    // a lower figure at the controller's own moment does not replace the highest
    asked[1]?.(answer(memory(305 * MB)));
    expect((await peak.peak())?.resident).toBe(310 * MB);
    peak.seen(500 * 1024);
    asked[2]?.({ status: 500, body: 'broken' });
    await expect(peak.peak()).rejects.toThrow('GET /metrics: 500 broken');
  });
});
