import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initCommand } from '../../../controller/cli/init.js';
import { revokeCommand } from '../../../controller/cli/revoke.js';
import { tokensCommand } from '../../../controller/cli/tokens-list.js';
import { capture, testHooks } from '../api/controller-bed.js';

// The commands of xenherd-controller that answer in JSON (init, tokens, revoke) answer a failure
// in JSON too when given --json: {"error": {code, message}} on stdout, the text on stderr, the
// same exit code. A token echoed back stays redacted on both.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ctl-json-errors-'));
  temps.push(d);
  return d;
};
const errorOf = (stdout: string): { code: string; message: string } => {
  expect(stdout.endsWith('\n') && stdout.indexOf('\n') === stdout.length - 1, `one JSON line: ${stdout}`).toBe(true);
  return (JSON.parse(stdout) as { error: { code: string; message: string } }).error;
};

describe('xenherd-controller --json: a failure is JSON on stdout', () => {
  it('init: a usage error, and a directory already initialized', async () => {
    const dir = tmp();
    const usage = await capture(initCommand(testHooks()).run, ['--json', '--port', 'seven']);
    expect(usage.code).toBe(64);
    expect(errorOf(usage.stdout)).toMatchObject({ code: 'XH_ERR_USAGE' });
    expect(usage.stderr).toMatch(/^xenherd-controller: XH_ERR_USAGE: /);
    const args = ['--dir', dir, '--listen', '127.0.0.1', '--port', '7999', '--json'];
    expect((await capture(initCommand(testHooks()).run, args)).code).toBe(0);
    const again = await capture(initCommand(testHooks()).run, args);
    expect(again.code).not.toBe(0);
    expect(errorOf(again.stdout)).toMatchObject({ code: 'XH_ERR_REFUSED', message: expect.stringMatching(/already exist: nothing was written/) });
  });

  it('tokens and revoke: a missing configuration; revoke of a pasted token keeps its secret off stdout', async () => {
    const missing = join(tmp(), 'controller.json');
    const t = await capture(tokensCommand().run, ['--config', missing, '--json']);
    expect(t.code).toBe(78);
    expect(errorOf(t.stdout)).toMatchObject({ code: 'XH_ERR_CONFIG', message: expect.stringContaining(missing) });
    const secret = 'S'.repeat(43);
    const r = await capture(revokeCommand(join(tmp(), 'no-credential')).run, [`xh1.0123456789ab.${secret}`, '--config', missing, '--json']);
    expect(r.code).not.toBe(0);
    expect(errorOf(r.stdout).code).toMatch(/^XH_ERR_/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('without --json a failure is text on stderr only; a --json after -- is not the option', async () => {
    const missing = join(tmp(), 'controller.json');
    const t = await capture(tokensCommand().run, ['--config', missing]);
    expect([t.code, t.stdout]).toEqual([78, '']);
    expect(t.stderr).toMatch(/^xenherd-controller: XH_ERR_CONFIG: /);
    const r = await capture(revokeCommand(join(tmp(), 'no-credential')).run, ['--config', missing, '--', '--json']);
    expect(r.stdout).toBe('');
  });
});
