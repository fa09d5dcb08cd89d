import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';

// Where xenherdctl's configuration comes from, and what it says when the URL's scheme is wrong,
// against a real TLS controller on 127.0.0.1, port 0.
const bed = controllerBed();

/** A HOME whose ~/.config/xenherd/ctl.json is not JSON. */
function homeWithBrokenCtlJson(): string {
  const home = mkdtempSync(join(tmpdir(), 'xenherd-brokenctl-'));
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
  writeFileSync(join(home, '.config', 'xenherd', 'ctl.json'), '{"url": "https://ctl.example:7443",');
  return home;
}

describe('xenherdctl configuration', () => {
  it('a broken ctl.json is not read when XENHERD_URL, XENHERD_TOKEN and XENHERD_CA give all it could', async () => {
    const c = await bed.start();
    const home = homeWithBrokenCtlJson();
    const r = await ctlFor(c)(['hosts'], { HOME: home });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('... but is still reported when the environment leaves a key to it (here the CA)', async () => {
    const c = await bed.start();
    const home = homeWithBrokenCtlJson();
    for (const env of [{ XENHERD_CA: undefined }, { XENHERD_CA: '' }]) {
      const r = await ctlFor(c)(['hosts'], { HOME: home, ...env });
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/XH_ERR_CONFIG: .*ctl\.json/);
    }
  });
});

describe('an http:// URL to the TLS controller', () => {
  it('fails with a hint to use https:// and XENHERD_CA, not a bare reset', async () => {
    const c = await bed.start();
    const plain = c.url.replace(/^https:/, 'http:');
    const r = await ctlFor(c)(['hosts'], { XENHERD_URL: plain });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at http:\/\/127\.0\.0\.1:\d+: .*\(the controller may speak https: use https:\/\/ in XENHERD_URL, with XENHERD_CA/);
    // check says it too, as its one UNKNOWN line
    const check = await ctlFor(c)(['check'], { XENHERD_URL: plain });
    expect(check.code).toBe(3);
    expect(check.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_CONTROLLER_UNREACHABLE: .*may speak https/);
  });
});
