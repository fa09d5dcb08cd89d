import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, type RunOptions } from '../../../agent/adapters/exec.js';
import { fakeTools, gone, settleWithin, type FakeTools } from './fake-tools.js';

/**
 * runTool against real child processes that misbehave the way a hung or wrapped tool does: a
 * child left holding stdout, a tool ignoring SIGTERM, a grandchild that left the process group,
 * an output too big to keep. The timeout must bound the whole call and nothing may be cut silently.
 */
let fake: FakeTools;
const run = (tool: string, args: readonly string[], options: RunOptions = {}) => runTool(join(fake.dir, tool), args, options);

beforeAll(() => {
  fake = fakeTools('exec');
  // `xl list` prints its answer and exits, but leaves a child holding stdout
  for (const tag of ['leaves', 'leaves-long']) {
    fake.tool(`xl-${tag}`, ['sleep 3600 &', `echo $! > "$PIDS/${tag}.child"`, `echo $$ > "$PIDS/${tag}.pid"`, "echo 'Name ID Mem VCPUs State Time(s)'", 'exit 0'].join('\n'));
  }
  // a hung tool waiting on its own child, both holding stdout
  fake.tool('xl-hangs', ['sleep 3600 &', 'echo $! > "$PIDS/hangs.child"', 'echo $$ > "$PIDS/hangs.pid"', 'wait'].join('\n'));
  // the same, deaf to SIGTERM (an ignored signal stays ignored in the children too)
  fake.tool('xl-deaf', ["trap '' TERM", 'sleep 3600 &', 'echo $! > "$PIDS/deaf.child"', 'echo $$ > "$PIDS/deaf.pid"', 'wait'].join('\n'));
  fake.tool('xl-deaf-ended', ["trap '' TERM", 'sleep 3600 &', 'echo $! > "$PIDS/deaf-ended.child"', 'echo $$ > "$PIDS/deaf-ended.pid"', 'wait'].join('\n'));
  // a grandchild that made itself a new session: no process-group signal reaches it
  fake.tool('xl-escapes', [`setsid sh -c 'echo $$ > "$PIDS/escapes.child"; exec sleep 3600' &`, 'echo $$ > "$PIDS/escapes.pid"', 'exit 0'].join('\n'));
  // `xl list` output over 64 MiB was cut at the buffer limit and taken as the answer
  // (rows shaped like xl list's; `yes` and `head` record their pids too, as the pipeline's members)
  const row = `${'web1'.padEnd(40)}     9  1024     2     -b----     3321.7`;
  fake.tool('xl-65mib', ['echo $$ > "$PIDS/65mib.pid"', `yes '${row}' | head -c ${65 * 1024 * 1024}`].join('\n'));
  fake.tool('xl-just-over', ['echo $$ > "$PIDS/just-over.pid"', `yes '${row}' | head -c ${64 * 1024 * 1024 + 10}`, 'exit 0'].join('\n'));
  fake.tool('stderr-5mib', ['echo $$ > "$PIDS/stderr.pid"', `yes 'libxl: error: noise' | head -c ${5 * 1024 * 1024} >&2`].join('\n'));
  fake.tool('print-n', 'head -c "$1" /dev/zero | tr "\\0" x');
});
afterAll(() => fake.cleanup());

describe('runTool: the timeout bounds the whole call', () => {
  it('a child left holding stdout after the tool exited: killed at the timeout, not waited for', async () => {
    const r = await settleWithin(run('xl-leaves', ['list'], { timeoutMs: 500, killAfterMs: 300 }), 5_000);
    const pids = [...(await fake.pids('leaves.pid')), ...(await fake.pids('leaves.child'))];
    expect(r !== 'still pending' && !r.ok && r.error.code).toBe('XH_ERR_TOOL_TIMEOUT');
    expect(await gone(pids)).toEqual([]);
  });

  it('a hung tool and its child are killed as a process group', async () => {
    const r = await settleWithin(run('xl-hangs', ['list'], { timeoutMs: 500, killAfterMs: 300 }), 5_000);
    const pids = [...(await fake.pids('hangs.pid')), ...(await fake.pids('hangs.child'))];
    expect(r !== 'still pending' && !r.ok && [r.error.code, r.error.signal]).toEqual(['XH_ERR_TOOL_TIMEOUT', 'SIGTERM']);
    expect(await gone(pids)).toEqual([]);
  });

  it('a group deaf to SIGTERM gets SIGKILL after killAfterMs', async () => {
    const r = await settleWithin(run('xl-deaf', ['list'], { timeoutMs: 500, killAfterMs: 300 }), 5_000);
    const pids = [...(await fake.pids('deaf.pid')), ...(await fake.pids('deaf.child'))];
    expect(r !== 'still pending' && !r.ok && [r.error.code, r.error.signal]).toEqual(['XH_ERR_TOOL_TIMEOUT', 'SIGKILL']);
    expect(await gone(pids)).toEqual([]);
  });

  // how a stopping agent ends its reads (agent/run/tool-runs.ts): as the bound would, long before it
  it('ended by its caller (endOn): a group deaf to SIGTERM gets SIGKILL after killAfterMs, the call answers', async () => {
    const ending = new AbortController();
    const call = run('xl-deaf-ended', ['list'], { timeoutMs: 60_000, killAfterMs: 300, endOn: ending.signal });
    // written once its trap is set: the tool runs, deaf to SIGTERM
    const pids = [...(await fake.pids('deaf-ended.pid')), ...(await fake.pids('deaf-ended.child'))];
    ending.abort();
    const r = await settleWithin(call, 5_000);
    expect(r !== 'still pending' && !r.ok && [r.error.code, r.error.signal, r.error.message]).toEqual(['XH_ERR_TOOL_FAILED', 'SIGKILL', expect.stringContaining('ended before its answer, as its caller asked (SIGKILL sent)')]);
    expect(await gone(pids)).toEqual([]);
  });

  it('a grandchild out of reach (own session) holding stdout: the call still resolves', async () => {
    const r = await settleWithin(run('xl-escapes', ['list'], { timeoutMs: 500, killAfterMs: 300 }), 5_000);
    const [tool] = await fake.pids('escapes.pid');
    const [escaped] = await fake.pids('escapes.child');
    expect(r !== 'still pending' && !r.ok && r.error.code).toBe('XH_ERR_TOOL_TIMEOUT');
    expect(await gone([tool ?? 0])).toEqual([]);
    // out of our process group, so runTool cannot reach it: this test ends what it started
    process.kill(escaped ?? 0, 'SIGKILL');
    expect(await gone([escaped ?? 0])).toEqual([]);
  });

  it('with a long timeout, a leftover child holding stdout fails the call soon after the tool exits', async () => {
    const started = Date.now();
    const r = await settleWithin(run('xl-leaves-long', ['list'], { timeoutMs: 60_000, killAfterMs: 300 }), 10_000);
    const pids = [...(await fake.pids('leaves-long.pid')), ...(await fake.pids('leaves-long.child'))];
    expect(r !== 'still pending' && !r.ok && r.error.code).toBe('XH_ERR_TOOL_FAILED');
    expect(r !== 'still pending' && !r.ok && r.error.message).toMatch(/exit code 0.*still held its output/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await gone(pids)).toEqual([]);
  });
});

describe('runTool: an output too big to keep is a failure, never a cut answer', () => {
  it('65 MiB on stdout (over the 64 MiB bound) is XH_ERR_TOOL_OUTPUT and the tool is killed', async () => {
    const r = await settleWithin(run('xl-65mib', ['list'], { timeoutMs: 15_000 }), 20_000);
    const pids = await fake.pids('65mib.pid');
    expect(r !== 'still pending' && !r.ok && r.error.code).toBe('XH_ERR_TOOL_OUTPUT');
    expect(r !== 'still pending' && !r.ok && r.error.message).toMatch(/more than 64 MiB on stdout/);
    // the failure does not carry the cut output around (it would end up in logs)
    expect(r !== 'still pending' && (r.ok ? r.value.stdout.length : r.error.stdout.length)).toBe(0);
    expect(await gone(pids)).toEqual([]);
  });

  it('64 MiB + 10 bytes and exit 0 (was: an answer cut to 64 MiB) is XH_ERR_TOOL_OUTPUT', async () => {
    const r = await settleWithin(run('xl-just-over', ['list'], { timeoutMs: 15_000 }), 20_000);
    expect(r !== 'still pending' && (r.ok ? `ok, ${r.value.stdout.length} bytes` : r.error.code)).toBe('XH_ERR_TOOL_OUTPUT');
    expect(await gone(await fake.pids('just-over.pid'))).toEqual([]);
  });

  it('the bound is exact: N bytes are an answer, N + 1 a failure', async () => {
    const at = await run('print-n', ['1000'], { maxStdoutBytes: 1000 });
    expect(at.ok && at.value.stdout === 'x'.repeat(1000)).toBe(true);
    const over = await run('print-n', ['1001'], { maxStdoutBytes: 1000 });
    expect(!over.ok && over.error.code).toBe('XH_ERR_TOOL_OUTPUT');
  });

  it('a stderr flood (5 MiB, over the 4 MiB stderr bound) is a failure too', async () => {
    const r = await settleWithin(run('stderr-5mib', []), 10_000);
    const pids = await fake.pids('stderr.pid');
    expect(r !== 'still pending' && !r.ok && r.error.code).toBe('XH_ERR_TOOL_OUTPUT');
    expect(r !== 'still pending' && !r.ok && r.error.message).toMatch(/more than 4 MiB on stderr/);
    expect(await gone(pids)).toEqual([]);
  });
});
