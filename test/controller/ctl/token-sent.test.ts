import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';

// A token the controller refuses: xenherdctl names the token it sent (its id, never its secret)
// and where it took it from, so the operator can hold it against `xenherd-controller tokens`.
const bed = controllerBed();
const UNKNOWN = `xh1.0123456789ab.${'s'.repeat(43)}`;

describe('xenherdctl: a refused token is named by its id and its source', () => {
  it('from XENHERD_TOKEN: a token the controller does not know, and an agent token used as an operator token', async () => {
    const c = await bed.start();
    const r = await ctlFor(c, UNKNOWN)(['where', 'web01']);
    expect(r.code).toBe(88);
    expect(r.stderr).toMatch(/XH_ERR_AUTH: token refused: .*\(this xenherdctl sent token xh1\.0123456789ab\.… from XENHERD_TOKEN\)\n$/);
    expect(r.stderr).not.toContain('s'.repeat(43));
    const agentToken = await c.enroll('xen9');
    const a = await ctlFor(c, agentToken)(['hosts']);
    expect(a.code).toBe(88);
    expect(a.stderr).toContain(`this xenherdctl sent token ${agentToken.split('.').slice(0, 2).join('.')}.… from XENHERD_TOKEN`);
    expect(a.stderr).not.toContain(agentToken);
  });

  it('from ctl.json: the file and its key are named; --json carries the same message', async () => {
    const c = await bed.start();
    const home = mkdtempSync(join(tmpdir(), 'xenherd-ctljson-'));
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    const file = join(home, '.config', 'xenherd', 'ctl.json');
    writeFileSync(file, JSON.stringify({ url: c.url, token: UNKNOWN, ca: c.caFile }), { mode: 0o600 });
    const r = await ctlFor(c)(['status', '--json'], { HOME: home, XENHERD_URL: undefined, XENHERD_TOKEN: undefined, XENHERD_CA: undefined });
    expect(r.code).toBe(88);
    const message = (JSON.parse(r.stdout) as { error: { message: string } }).error.message;
    expect(message).toContain(`(this xenherdctl sent token xh1.0123456789ab.… from ${file}: key "token")`);
    expect(r.stdout).not.toContain('s'.repeat(43));
  });

  it('any other refusal is left as the controller said it', async () => {
    const c = await bed.start();
    const r = await ctlFor(c)(['where', 'nosuchdomu']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('this xenherdctl sent token');
  });
});
