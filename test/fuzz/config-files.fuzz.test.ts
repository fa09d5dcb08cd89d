import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../agent/config/load.js';
import { readTokenStore } from '../../controller/auth/token-store-file.js';
import { parseControllerConfig } from '../../controller/config/load.js';
import { loadCtlConfig } from '../../controller/ctl/config.js';
import type { Result } from '../../shared/result.js';
import type { XhError } from '../../shared/errors.js';
import { count, deepArrayText, deepObjectText, hostileValue, mutatedJsonDeep, mutatedText, PATHOLOGICAL_TEXTS, reportCounts, runs } from './fuzz-kit.js';

// Every config file schema (the agent's agent.json, the controller's controller.json and
// tokens.json, xenherdctl's ctl.json and its XENHERD_* variables) over random JSON, valid files
// mutated node by node (types changed, keys deleted or added, values replaced) and as text (cut
// short, bytes flipped): accepted, or refused with XH_ERR_CONFIG and a sentence naming the file.

reportCounts('config-files');

// Made when the tests start, not when the file is collected: a run that filters every test of
// this file out (vitest -t) then leaves nothing behind.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-fuzz-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AGENT = {
  guardedDir: '/etc/xen/drbd-auto',
  toolstack: 'xl',
  stateDir: '/var/lib/xenherd',
  controlSocket: '/run/xenherd/agent.sock',
  logLevel: 'info',
  autostart: { enabled: true, parallel: 4, deferRecheckSeconds: 300, deferJitterSeconds: 60, retryInitialSeconds: 10, retryMaxSeconds: 600 },
  events: { drbd: 'auto', domains: 'auto', pollSeconds: 10, resyncSeconds: 60, respawnMaxSeconds: 30 },
  migration: { keyFile: '/etc/xenherd/migrate_key', knownHostsFile: '/etc/xenherd/known_hosts', sshUser: 'root', sshPort: 22, peers: { xen2: { address: '10.0.0.2', port: 22 } }, migrateTab: '/etc/xen/migrate-tab.txt', configDir: '/etc/xen', drbdConfigDir: '/etc/drbd.d' },
  controller: { url: 'wss://ctl.example:7443', token: `xh1.0123456789ab.${'A'.repeat(43)}`, caFingerprint: Array.from({ length: 32 }, () => 'AB').join(':') },
};
const CONTROLLER = {
  listen: { host: '0.0.0.0', port: 7443 },
  tls: { cert: '/etc/xenherd/tls/server.crt', key: '/etc/xenherd/tls/server.key', ca: '/etc/xenherd/tls/ca.crt' },
  stateDir: '/var/lib/xenherd-controller',
  publicUrl: 'https://ctl.example:7443',
  heartbeatSeconds: 5,
  staleAfterSeconds: 15,
  commandTimeoutSeconds: 3600,
  maxMessageBytes: 4194304,
  logLevel: 'info',
};
const TOKENS = {
  schema: 1,
  agents: { '0123456789ab': { host: 'xen1', sha256: 'a'.repeat(64), createdAt: '2025-01-01T00:00:00.000Z' } },
  operators: { ba9876543210: { name: 'admin', role: 'operate', sha256: 'b'.repeat(64), createdAt: '2025-01-01T00:00:00.000Z' } },
};
const CTL = { url: 'https://ctl.example:7443', token: `xh1.0123456789ab.${'A'.repeat(43)}` };

/** Refused with XH_ERR_CONFIG naming FILE, or accepted. */
function refusedOrAccepted(r: Result<unknown, XhError>, file: string): void {
  if (r.ok) return;
  expect(r.error.code).toBe('XH_ERR_CONFIG');
  expect(r.error.message).toContain(file);
}

/** What every file is fed: random JSON, mutations of the valid file, and its text mutated. */
const inputsFor = (valid: unknown): fc.Arbitrary<string> =>
  fc.oneof(
    hostileValue.map((v) => JSON.stringify(v) ?? 'undefined'),
    mutatedJsonDeep(valid).map((v) => JSON.stringify(v) ?? ''),
    mutatedText(JSON.stringify(valid, null, 2)),
  );
const fixedInputs = [...PATHOLOGICAL_TEXTS, deepObjectText(100_000), deepArrayText(100_000), 'null', '[]', '"x"', '{}', '{"__proto__": {"polluted": true}}'];

describe('config files: accepted or refused with XH_ERR_CONFIG naming the file, never a throw', () => {
  const surfaces: { name: string; valid: unknown; file: string; parse: (text: string) => Result<unknown, XhError> }[] = [
    { name: 'agent.json', valid: AGENT, file: '/etc/xenherd/agent.json', parse: (t) => parseAgentConfig(t, '/etc/xenherd/agent.json') },
    { name: 'controller.json', valid: CONTROLLER, file: '/etc/xenherd/controller.json', parse: (t) => parseControllerConfig(t, '/etc/xenherd/controller.json') },
    {
      name: 'tokens.json',
      valid: TOKENS,
      get file() {
        return join(dir, 'tokens.json');
      },
      parse: (t) => {
        writeFileSync(join(dir, 'tokens.json'), t);
        return readTokenStore(join(dir, 'tokens.json'));
      },
    },
  ];
  for (const s of surfaces) {
    it(s.name, () => {
      expect(s.parse(JSON.stringify(s.valid)).ok, `the valid ${s.name} is accepted`).toBe(true);
      for (const t of fixedInputs) {
        count(s.name);
        refusedOrAccepted(s.parse(t), s.file);
      }
      fc.assert(
        fc.property(inputsFor(s.valid), (text) => {
          count(s.name);
          refusedOrAccepted(s.parse(text), s.file);
        }),
        runs(400),
      );
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  }

  it('a byte-order mark before the JSON (as some editors save it) is read past in every one', () => {
    for (const s of surfaces) expect(s.parse(`\ufeff${JSON.stringify(s.valid)}`).ok, s.name).toBe(true);
    const home = join(dir, 'bom-home');
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    writeFileSync(join(home, '.config', 'xenherd', 'ctl.json'), `\ufeff${JSON.stringify(CTL)}`);
    expect(loadCtlConfig({ HOME: home }).ok, 'ctl.json').toBe(true);
  });

  it('ctl.json and XENHERD_URL / XENHERD_TOKEN / XENHERD_CA', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    const file = join(home, '.config', 'xenherd', 'ctl.json');
    const load = (text: string, env: Record<string, string> = {}): void => {
      count('ctl.json + env');
      writeFileSync(file, text);
      const r = loadCtlConfig({ HOME: home, ...env });
      if (!r.ok) {
        expect(r.error.code).toBe('XH_ERR_CONFIG');
        expect(r.error.message.length).toBeGreaterThan(0);
      } else {
        expect(['https:', 'http:']).toContain(r.value.url.protocol);
        if (r.value.url.protocol === 'http:') expect(['127.0.0.1', '[::1]', 'localhost']).toContain(r.value.url.hostname);
      }
    };
    load(JSON.stringify(CTL));
    for (const t of fixedInputs) load(t);
    const envValue = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('http://10.0.0.1:7443', 'http://127.0.0.1:1', 'ftp://x', 'https://[::1]:7443', 'https://ctl:99999', '/etc/passwd', join(dir, 'nope.crt'), dir));
    fc.assert(
      fc.property(inputsFor(CTL), fc.dictionary(fc.constantFrom('XENHERD_URL', 'XENHERD_TOKEN', 'XENHERD_CA'), envValue), (text, env) => load(text, env)),
      runs(400),
    );
  });
});
