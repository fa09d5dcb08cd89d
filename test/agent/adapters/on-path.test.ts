import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mayBeOnPath } from '../../../agent/adapters/on-path.js';
import { runTool } from '../../../agent/adapters/exec.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function pathWithTool(name: string): { path: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'xh-onpath-'));
  dirs.push(root);
  const dir = join(root, 'bin');
  mkdirSync(dir);
  writeFileSync(join(dir, name), '#!/bin/sh\necho here\n');
  chmodSync(join(dir, name), 0o755);
  // a file where a directory should be, and a directory named like the tool, hold nothing
  writeFileSync(join(root, 'not-a-dir'), '');
  mkdirSync(join(root, 'other', name), { recursive: true });
  return { path: [join(root, 'not-a-dir'), join(root, 'other'), join(root, 'missing'), dir].join(delimiter), dir };
}

describe('mayBeOnPath', () => {
  it('finds a regular file of that name in a PATH directory, past entries that hold nothing', () => {
    const { path } = pathWithTool('xl');
    expect(mayBeOnPath('xl', path)).toBe(true);
    expect(mayBeOnPath('xm', path)).toBe(false);
    expect(mayBeOnPath('xm', undefined)).toBe(false);
  });

  it('leaves a name with a slash to the spawn itself', () => {
    expect(mayBeOnPath('/nonexistent/xm', '')).toBe(true);
  });
});

describe('runTool with a tool that is nowhere on PATH', () => {
  it('answers "not found" as a failed spawn would, without spawning', async () => {
    const { path } = pathWithTool('xl');
    const r = await runTool('xm', ['list'], { env: { PATH: path } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'XH_ERR_TOOL_NOT_FOUND', tool: 'xm', args: ['list'] });
    const found = await runTool('xl', [], { env: { PATH: path } });
    expect(found.ok && found.value.stdout).toBe('here\n');
  });
});
