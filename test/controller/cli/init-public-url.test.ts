import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollCommand } from '../../../controller/cli/enroll.js';
import { initCommand } from '../../../controller/cli/init.js';
import type { ControllerHooks } from '../../../controller/cli/hooks.js';
import { capture, testHooks } from '../api/controller-bed.js';

// The URL agents dial, as a new operator following the README meets it: init names the host from
// --san when given one, says plainly when other machines cannot reach what it wrote, and enroll
// warns when the URL it hands out is a loopback address.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ctl-public-url-'));
  temps.push(d);
  return d;
};
const onHost = (name: string): ControllerHooks => ({ ...testHooks(), hostname: () => name });
const publicUrl = (dir: string): unknown => (JSON.parse(readFileSync(join(dir, 'controller.json'), 'utf8')) as { publicUrl: unknown }).publicUrl;
const exportLine = (out: string): string | undefined => out.split('\n').find((l) => l.startsWith('export XENHERD_URL='));

async function initAndEnroll(hostname: string, argv: readonly string[]): Promise<{ dir: string; init: { code: number; stdout: string; stderr: string }; enroll: { code: number; stdout: string; stderr: string } }> {
  const dir = temp();
  const init = await capture(initCommand(onHost(hostname)).run, ['--dir', dir, ...argv]);
  expect(init.code, init.stderr).toBe(0);
  const enroll = await capture(enrollCommand(onHost(hostname)).run, ['xen1', '--config', join(dir, 'controller.json')]);
  expect(enroll.code, enroll.stderr).toBe(0);
  return { dir, init, enroll };
}

const enrolledUrl = (stdout: string): string => (JSON.parse(stdout) as { controller: { url: string } }).controller.url;

describe('init: the publicUrl agents dial', () => {
  it('the first --san names it (not the bare host name), and the output says where it came from', async () => {
    const { dir, init, enroll } = await initAndEnroll('vm', ['--san', 'ctl.example.org,ctl2.example.org']);
    expect(publicUrl(dir)).toBe('https://ctl.example.org:7443');
    expect(exportLine(init.stdout)).toMatch(/^export XENHERD_URL=https:\/\/ctl\.example\.org:7443 /);
    expect(init.stdout).toContain('publicUrl: https://ctl.example.org:7443, from the first --san: agents dial it');
    expect(enrolledUrl(enroll.stdout)).toBe('wss://ctl.example.org:7443');
    expect(enroll.stderr).not.toMatch(/warning/);
  });

  it('a loopback --san is passed over for the next; an IPv6 one is bracketed', async () => {
    const { dir } = await initAndEnroll('vm', ['--san', 'localhost,127.0.0.2,::1,2001:db8::7', '--port', '8443']);
    expect(publicUrl(dir)).toBe('https://[2001:db8::7]:8443');
  });

  it('a loopback --listen keeps its own address: nothing else reaches it', async () => {
    const { dir, init } = await initAndEnroll('vm', ['--listen', '127.0.0.1', '--san', 'ctl.example.org']);
    expect(publicUrl(dir)).toBe('https://127.0.0.1:7443');
    expect(init.stdout).toContain('publicUrl: https://127.0.0.1:7443, the loopback address it listens on: only agents on this machine reach it');
  });

  it('a bare host name and no --san: init says agents elsewhere need publicUrl changed, and how', async () => {
    const { dir, init, enroll } = await initAndEnroll('vm', []);
    expect(publicUrl(dir)).toBe('https://vm:7443');
    const line = init.stdout.split('\n').find((l) => l.startsWith('publicUrl: ')) as string;
    expect(line).toMatch(/^publicUrl: https:\/\/vm:7443, from this machine's bare host name: agents on other machines need publicUrl changed unless they resolve "vm": set/);
    expect(line).toContain(`set "publicUrl" in ${join(dir, 'controller.json')} to an address they reach`);
    expect(line).toContain('renew-cert --name ctl.example.org');
    // not a loopback address: enroll hands it out without a warning
    expect(enroll.stderr).not.toMatch(/warning/);
  });

  it('a full host name is used, with the fix offered only if the Dom0s know it otherwise', async () => {
    const { dir, init } = await initAndEnroll('ctl1.example.org', []);
    expect(publicUrl(dir)).toBe('https://ctl1.example.org:7443');
    expect(init.stdout).toContain("publicUrl: https://ctl1.example.org:7443, from this machine's host name: if the Dom0s know this machine by another name, set");
  });

  it('a host name that is no DNS name falls back to 127.0.0.1: init says agents would dial themselves, enroll warns', async () => {
    const { dir, init, enroll } = await initAndEnroll('my_vm', []);
    expect(publicUrl(dir)).toBe('https://127.0.0.1:7443');
    expect(init.stdout).toContain('publicUrl: https://127.0.0.1:7443, a loopback address (this machine\'s host name "my_vm" is no valid DNS name, and no --san was given): agents on other machines would dial themselves and need publicUrl changed: set "publicUrl"');
    expect(enrolledUrl(enroll.stdout)).toBe('wss://127.0.0.1:7443');
    expect(enroll.stderr).toContain(`xenherd-controller: warning: the URL above, wss://127.0.0.1:7443, is a loopback address: only an agent on this machine reaches it; for a Dom0 elsewhere set "publicUrl" in ${join(dir, 'controller.json')}`);
  });

  it('with --json the answer stays on stdout and a publicUrl to change is warned of on stderr', async () => {
    const dir = temp();
    const r = await capture(initCommand(onHost('my_vm')).run, ['--dir', dir, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { url: string }).url).toBe('https://127.0.0.1:7443');
    expect(r.stderr).toMatch(/^xenherd-controller: warning: publicUrl: https:\/\/127\.0\.0\.1:7443, a loopback address .*need publicUrl changed/);
    const quiet = await capture(initCommand(onHost('vm')).run, ['--dir', temp(), '--json', '--san', 'ctl.example.org']);
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
  });
});
