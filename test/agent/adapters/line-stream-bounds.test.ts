import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrbdEvents } from '../../../agent/adapters/drbd-events.js';
import { spawnStream, startLineStream, type SpawnStream } from '../../../agent/adapters/line-stream.js';
import { createXenstore } from '../../../agent/adapters/xenstore.js';
import type { ToolRunner } from '../../../agent/adapters/exec.js';
import { fakeTools, gone, settleWithin, type FakeTools } from './fake-tools.js';
import { until } from '../../helpers/until.js';

/**
 * The streaming reader (xenstore-watch, drbdsetup events2) against real child processes: an
 * endless line must end the stream as a tool failure (the caller logs it and respawns) instead of
 * growing memory, and stop() must finish in bounded time whatever the tool's children do.
 */
let fake: FakeTools;
/** spawns the fake named like the tool, from the temp dir (PATH untouched) */
const spawnFake: SpawnStream = (tool, args) => spawnStream(join(fake.dir, tool), args);
const noRun: ToolRunner = async () => {
  throw new Error('not used');
};
// an 8 KiB chunk, forever, never a newline (throttled so that a reader without a bound fails its
// test by timing out rather than by eating the test runner's memory)
const endless = (tag: string, first: string): string =>
  ['echo $$ > "$PIDS/' + tag + '.pid"', `echo '${first}'`, "chunk=$(printf '%08192d' 0)", 'while :; do printf %s "$chunk"; sleep 0.01; done'].join('\n');

beforeAll(() => {
  fake = fakeTools('stream');
  fake.tool('xenstore-watch', endless('xsw', '@releaseDomain'));
  fake.tool('drbdsetup', endless('events2', 'exists -'));
  fake.tool('lines', ['echo $$ > "$PIDS/lines.pid"', 'printf "%s\\n" "$1" "$2"', 'exec sleep 3600'].join('\n'));
  fake.tool('many-lines', ['echo $$ > "$PIDS/many.pid"', 'yes 123456789 | head -n 100000', 'exec sleep 3600'].join('\n'));
  // stop() must not wait for a grandchild that left the group and holds stdout
  fake.tool('escapes', [`setsid sh -c 'echo $$ > "$PIDS/escapes.child"; exec sleep 3600' &`, 'echo $$ > "$PIDS/escapes.pid"', 'echo ready', 'wait'].join('\n'));
  // the tool dies on its own but its child keeps stdout: 'close' never comes
  fake.tool('dies-leaves-child', ['sleep 3600 &', 'echo $! > "$PIDS/dies.child"', 'echo $$ > "$PIDS/dies.pid"', 'echo ready', 'exit 0'].join('\n'));
});
afterAll(() => fake.cleanup());

describe('an endless line is a tool failure, and the stream is stopped', () => {
  it('xenstore-watch printing one endless line: failure past 64 KiB, group killed, exit reported for a respawn', async () => {
    const events: string[] = [];
    const w = createXenstore({ run: noRun, spawn: spawnFake, killAfterMs: 300 }).watch(['@releaseDomain'], { onEvent: (e) => events.push(e.path) });
    if (!w.ok) throw new Error(w.error.message);
    const exit = await settleWithin(w.value.exited, 8_000);
    const pids = await fake.pids('xsw.pid');
    expect(events).toEqual(['@releaseDomain']);
    expect(exit).toMatchObject({ stopped: false, lines: 1, failure: { code: 'XH_ERR_TOOL_OUTPUT', tool: 'xenstore-watch' } });
    expect(exit !== 'still pending' && exit.failure?.message).toMatch(/line longer than 64 KiB/);
    expect(await gone(pids)).toEqual([]);
  });

  it('drbdsetup events2 (same reader) likewise', async () => {
    const lines: string[] = [];
    const s = startDrbdEvents(spawnFake, { onLine: (l) => lines.push(l.kind), onBadLine: () => undefined }, 300);
    const exit = await settleWithin(s.exited, 8_000);
    const pids = await fake.pids('events2.pid');
    expect(lines).toEqual(['initial-done']);
    expect(exit).toMatchObject({ stopped: false, failure: { code: 'XH_ERR_TOOL_OUTPUT', tool: 'drbdsetup' } });
    expect(await gone(pids)).toEqual([]);
  });

  it('the bound is exact: a line of maxLineBytes is read, one byte more is a failure', async () => {
    const read: string[] = [];
    const s = startLineStream(spawnFake, 'lines', ['a'.repeat(100), 'b'.repeat(101)], (l) => read.push(l), 300, { maxLineBytes: 100 });
    const exit = await settleWithin(s.exited, 8_000);
    const pids = await fake.pids('lines.pid');
    expect(read).toEqual(['a'.repeat(100)]);
    expect(exit).toMatchObject({ stopped: false, lines: 1, failure: { code: 'XH_ERR_TOOL_OUTPUT' } });
    expect(await gone(pids)).toEqual([]);
  });

  it('only the unfinished line is bounded: many short lines in big chunks all arrive', async () => {
    let n = 0;
    const s = startLineStream(spawnFake, 'many-lines', [], () => n++, 300, { maxLineBytes: 100 });
    await until(() => n === 100_000, '100000 lines', { limitMs: 8_000 });
    const exit = await settleWithin(s.stop(), 8_000);
    expect(exit).toMatchObject({ stopped: true, failure: null, lines: 100_000 });
    expect(await gone(await fake.pids('many.pid'))).toEqual([]);
  });
});

describe('stop() and exit are bounded whatever the children do', () => {
  it('stop() resolves though a grandchild outside the group holds stdout', async () => {
    const read: string[] = [];
    const s = startLineStream(spawnFake, 'escapes', [], (l) => read.push(l), 300);
    await until(() => read.length === 1, 'the first line', { limitMs: 5_000 });
    const [tool] = await fake.pids('escapes.pid');
    const [escaped] = await fake.pids('escapes.child');
    const exit = await settleWithin(s.stop(), 5_000);
    expect(exit).toMatchObject({ stopped: true, failure: null, signal: 'SIGTERM' });
    expect(await gone([tool ?? 0])).toEqual([]);
    // out of the stream's process group: this test ends what it started
    process.kill(escaped ?? 0, 'SIGKILL');
    expect(await gone([escaped ?? 0])).toEqual([]);
  });

  it('a tool ending by itself while its child holds stdout is reported (for a respawn), and the child killed', async () => {
    const s = startLineStream(spawnFake, 'dies-leaves-child', [], () => undefined, 300);
    const exit = await settleWithin(s.exited, 8_000);
    const pids = [...(await fake.pids('dies.pid')), ...(await fake.pids('dies.child'))];
    expect(exit).toMatchObject({ stopped: false, exitCode: 0, lines: 1, failure: { code: 'XH_ERR_TOOL_FAILED' } });
    expect(exit !== 'still pending' && exit.failure?.message).toMatch(/still held its output/);
    expect(await gone(pids)).toEqual([]);
  });
});
