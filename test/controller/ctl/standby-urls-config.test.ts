import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadCtlConfig } from '../../../controller/ctl/config.js';
import { withControllerNote } from '../../../controller/ctl/nagios-output.js';
import type { CheckAnswer } from '../../../shared/protocol/ctl-check.js';

const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

/** a HOME whose ctl.json holds CONTENT; returns the HOME and the file's path */
function homeWith(content: object): { home: string; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'xenherd-standby-cfg-'));
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
  const dir = join(home, '.config', 'xenherd');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'ctl.json');
  writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
  return { home, file };
}

const urls = (r: ReturnType<typeof loadCtlConfig>): string[] => (r.ok ? [r.value.url, ...(r.value.standbyUrls ?? [])].map((u) => u.origin) : [`error: ${r.error.message}`]);
const refusal = (r: ReturnType<typeof loadCtlConfig>): string => (r.ok ? 'loaded' : `${r.error.code}: ${r.error.message}`);

describe('the standby controllers xenherdctl is given', () => {
  it('XENHERD_URL as a comma-separated list, the primary first', () => {
    expect(urls(loadCtlConfig({ XENHERD_URL: 'https://ctl1.example:7443, https://ctl2.example:7443', XENHERD_TOKEN: TOKEN }))).toEqual(['https://ctl1.example:7443', 'https://ctl2.example:7443']);
    const one = loadCtlConfig({ XENHERD_URL: 'https://ctl1.example:7443', XENHERD_TOKEN: TOKEN });
    expect(one.ok && one.value.standbyUrls).toBe(undefined);
  });

  it('ctl.json: "standbyUrls" after "url"; XENHERD_URL replaces both', () => {
    const { home } = homeWith({ url: 'https://ctl1.example:7443', standbyUrls: ['https://ctl2.example:7443', 'https://ctl3.example:7443'], token: TOKEN });
    expect(urls(loadCtlConfig({ HOME: home }))).toEqual(['https://ctl1.example:7443', 'https://ctl2.example:7443', 'https://ctl3.example:7443']);
    expect(urls(loadCtlConfig({ HOME: home, XENHERD_URL: 'https://ctl9.example:7443' }))).toEqual(['https://ctl9.example:7443']);
  });

  it('a controller listed twice is refused, naming both places and the fix', () => {
    const { home, file } = homeWith({ url: 'https://ctl1.example:7443', standbyUrls: ['https://CTL1.example:7443'], token: TOKEN });
    expect(refusal(loadCtlConfig({ HOME: home }))).toBe(
      `XH_ERR_CONFIG: ${file}: key "standbyUrls"[0]: https://ctl1.example:7443 is listed already (${file}: key "url"): list each controller once, the primary first, then its standbys`,
    );
    expect(refusal(loadCtlConfig({ XENHERD_URL: 'https://ctl1.example:7443,https://ctl1.example:7443/', XENHERD_TOKEN: TOKEN }))).toBe(
      'XH_ERR_CONFIG: XENHERD_URL (its URL number 2, "https://ctl1.example:7443/"): https://ctl1.example:7443 is listed already (XENHERD_URL (its URL number 1, "https://ctl1.example:7443")): list each controller once, the primary first, then its standbys',
    );
  });

  it('each standby is checked as the primary is: https, nothing past the port, named by its key', () => {
    const { home, file } = homeWith({ url: 'https://ctl1.example:7443', standbyUrls: ['http://ctl2.example:7443'], token: TOKEN });
    expect(refusal(loadCtlConfig({ HOME: home }))).toBe(`XH_ERR_CONFIG: ${file}: key "standbyUrls"[0]: http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1]), never to a name ("ctl2.example"), whatever it resolves to: use http://127.0.0.1:7443 for a controller on this machine, or https://`);
    const wss = homeWith({ url: 'https://ctl1.example:7443', standbyUrls: ['wss://ctl2.example:7443'], token: TOKEN });
    expect(refusal(loadCtlConfig({ HOME: wss.home }))).toBe(
      `XH_ERR_CONFIG: ${wss.file}: key "standbyUrls"[0]: must start with https:// (got wss:) (use https://ctl2.example:7443 for a controller an agent dials as wss://ctl2.example:7443)`,
    );
    expect(refusal(loadCtlConfig({ XENHERD_URL: 'https://ctl1.example:7443,https://ctl2.example:7443/v1', XENHERD_TOKEN: TOKEN }))).toBe(
      'XH_ERR_CONFIG: XENHERD_URL (its URL number 2, "https://ctl2.example:7443/v1"): the controller\'s URL is https://HOST:PORT and nothing more, but this one has a path ("/v1"): give https://ctl2.example:7443 (https://HOST:PORT)',
    );
  });

  it('an empty place in XENHERD_URL, or too many controllers, is refused with the fix', () => {
    expect(refusal(loadCtlConfig({ XENHERD_URL: 'https://ctl1.example:7443,', XENHERD_TOKEN: TOKEN }))).toBe(
      "XH_ERR_CONFIG: XENHERD_URL: its URL number 2 is empty: give the controllers' URLs separated by commas, the primary first, e.g. https://ctl1.example:7443,https://ctl2.example:7443",
    );
    const nine = Array.from({ length: 9 }, (_, i) => `https://ctl${i}.example:7443`).join(',');
    expect(refusal(loadCtlConfig({ XENHERD_URL: nine, XENHERD_TOKEN: TOKEN }))).toMatch(/^XH_ERR_CONFIG: XENHERD_URL \(its URL number 9, .*\): at most 8 controllers \(a primary and its standbys\) are asked: list fewer$/);
    const { home, file } = homeWith({ url: 'https://ctl1.example:7443', standbyUrls: Array.from({ length: 8 }, (_, i) => `https://s${i}.example:7443`), token: TOKEN });
    expect(refusal(loadCtlConfig({ HOME: home }))).toMatch(new RegExp(`^XH_ERR_CONFIG: ${file}: key "standbyUrls"`));
  });
});

describe("check's verdict from a controller other than the primary", () => {
  const answer = (status: CheckAnswer['status'], details: CheckAnswer['details'] = []): CheckAnswer => ({
    at: 1,
    status,
    summary: '3 hosts reachable, 5 domUs running',
    details,
    perfdata: [],
    thresholds: { warnDeferredMs: 1, critDeferredMs: 2, notHomeAfterMs: 3 },
  });
  const NOTE = 'ctl1:7443 unreachable; answered by ctl2:7443, which hears 3 of 3 Dom0s';

  it('OK turns WARNING, the note leading the status line and first among the problems', () => {
    expect(withControllerNote(answer('OK'), NOTE)).toEqual({ ...answer('WARNING'), summary: `${NOTE}; 3 hosts reachable, 5 domUs running`, details: [{ status: 'WARNING', text: NOTE }] });
  });

  it('a worse verdict keeps its status and summary; the note goes after the worse problems, before the warnings', () => {
    const crit = { status: 'CRITICAL' as const, text: 'web1 runs on two hosts' };
    const warn = { status: 'WARNING' as const, text: 'web2 away from home' };
    expect(withControllerNote(answer('CRITICAL', [crit, warn]), NOTE)).toEqual(answer('CRITICAL', [crit, { status: 'WARNING', text: NOTE }, warn]));
    expect(withControllerNote(answer('WARNING', [warn]), NOTE).details).toEqual([{ status: 'WARNING', text: NOTE }, warn]);
  });
});
