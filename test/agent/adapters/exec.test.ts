import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../../agent/adapters/exec.js';
import { fakeTools, type FakeTools } from './fake-tools.js';

/** What every adapter relies on from runTool, with real child processes. */
let fake: FakeTools;

beforeAll(() => {
  fake = fakeTools('exec-basics');
  fake.tool('answers', ['printf "out\\n"', 'printf "first problem\\nsecond\\n" >&2', 'exit "${1:-0}"'].join('\n'));
  fake.tool('env', 'printf "%s %s %s" "$LC_ALL" "$LANG" "$XH_EXTRA"');
  fake.tool('reads-stdin', 'cat; echo done');
  // é is two bytes: written one byte at a time with a pause, the reader sees two chunks
  fake.tool('split-utf8', ["printf '\\303'", 'sleep 0.05', "printf '\\251\\n'", "printf '\\303' >&2", 'sleep 0.05', "printf '\\251\\n' >&2"].join('\n'));
  writeFileSync(join(fake.dir, 'not-executable'), '#!/bin/sh\necho hi\n');
  // its pid, what beforeRun wrote to $1, its other args, and whether stdin reads as closed
  fake.tool('before-run', 'printf "%s %s [%s] [%s] " "$$" "$(cat "$1")" "$2" "$3"; cat; echo done');
  fake.tool('touches', 'touch "$1"');
});
afterAll(() => fake.cleanup());

describe('runTool basics', () => {
  it('an answer keeps its final newline; stderr is returned too', async () => {
    expect(await runTool(join(fake.dir, 'answers'), [])).toEqual({ ok: true, value: { stdout: 'out\n', stderr: 'first problem\nsecond\n', exitCode: 0 } });
  });

  it('a non-zero exit is XH_ERR_TOOL_FAILED naming the first stderr line, unless accepted', async () => {
    const r = await runTool(join(fake.dir, 'answers'), ['3']);
    expect(r.ok ? null : r.error).toMatchObject({ code: 'XH_ERR_TOOL_FAILED', exitCode: 3, signal: null, stdout: 'out\n', message: expect.stringMatching(/exit code 3: first problem$/) });
    expect(await runTool(join(fake.dir, 'answers'), ['3'], { acceptExitCodes: [0, 3] })).toMatchObject({ ok: true, value: { exitCode: 3 } });
  });

  it('a missing or non-executable tool is XH_ERR_TOOL_NOT_FOUND', async () => {
    const missing = await runTool('xenherd-no-such-tool', []);
    expect(!missing.ok && missing.error.code).toBe('XH_ERR_TOOL_NOT_FOUND');
    const notExec = await runTool(join(fake.dir, 'not-executable'), []);
    expect(!notExec.ok && notExec.error.code).toBe('XH_ERR_TOOL_NOT_FOUND');
  });

  it('an argument spawn() cannot pass (a NUL byte) is a failure value, not an exception', async () => {
    const r = await runTool(join(fake.dir, 'answers'), ['a\0b']);
    expect(!r.ok && r.error.code).toBe('XH_ERR_TOOL_FAILED');
  });

  it('finds the tool on the PATH given in env; runs it with LC_ALL=C and the extra env', async () => {
    const r = await runTool('env', [], { env: { PATH: `${fake.dir}:/usr/bin:/bin`, XH_EXTRA: 'x', LC_ALL: 'de_DE.UTF-8' } });
    expect(r).toEqual({ ok: true, value: { stdout: 'C C x', stderr: '', exitCode: 0 } });
  });

  it('stdin is closed: a tool reading it ends at once', async () => {
    expect(await runTool(join(fake.dir, 'reads-stdin'), [], { timeoutMs: 5_000 })).toMatchObject({ ok: true, value: { stdout: 'done\n' } });
  });

  it('onStderr gets the text as it comes, characters whole', async () => {
    let streamed = '';
    const r = await runTool(join(fake.dir, 'split-utf8'), [], { onStderr: (c) => (streamed += c) });
    expect(r).toEqual({ ok: true, value: { stdout: 'é\n', stderr: 'é\n', exitCode: 0 } });
    expect(streamed).toBe('é\n');
  });
});

describe('runTool with beforeRun (the tool held until it returns)', () => {
  it('the tool runs after beforeRun, under the pid it was given, stdin closed, args as given', async () => {
    const file = join(fake.dir, 'written-before-run');
    let given = 0;
    const r = await runTool(join(fake.dir, 'before-run'), [file, 'a b', '$HOME'], {
      beforeRun: (pid) => {
        given = pid;
        writeFileSync(file, 'recorded');
      },
    });
    // what beforeRun wrote is there when the tool starts, whatever the machine's load
    expect(r).toEqual({ ok: true, value: { stdout: `${given} recorded [a b] [$HOME] done\n`, stderr: '', exitCode: 0 } });
  });

  it('beforeRun throwing: the tool never runs, and the call says why once the holding shell has ended', async () => {
    const marker = join(fake.dir, 'must-not-exist');
    const r = await runTool(join(fake.dir, 'touches'), [marker], {
      beforeRun: () => {
        throw new Error('cannot record it');
      },
    });
    expect(r.ok ? null : r.error).toMatchObject({ code: 'XH_ERR_TOOL_FAILED', message: `${join(fake.dir, 'touches')} ${marker}: not started: cannot record it` });
    expect(existsSync(marker)).toBe(false);
  });

  it('a tool the holding shell cannot run is XH_ERR_TOOL_NOT_FOUND, as without it', async () => {
    const notExec = await runTool(join(fake.dir, 'not-executable'), [], { beforeRun: () => undefined });
    expect(!notExec.ok && notExec.error.code).toBe('XH_ERR_TOOL_NOT_FOUND');
  });
});
