import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../controller/cli/common.js';
import { jobSettingsOf, parseControllerConfig } from '../../controller/config/load.js';
import { isLoopbackAddress } from '../../controller/config/loopback.js';

const F = '/etc/xenherd/controller.json';
const tls = { cert: '/x/server.crt', key: '/x/server.key' };
const parse = (o: unknown) => parseControllerConfig(JSON.stringify(o), F);

describe('controller.json', () => {
  it('defaults everything but tls and stateDir', () => {
    const r = parse({ tls, stateDir: '/var/lib/xenherd-controller' });
    expect(r.ok && r.value).toMatchObject({ listen: { host: '::', port: 7443 }, heartbeatSeconds: 5, staleAfterSeconds: 15, maxMessageBytes: 4 * 1024 * 1024, tls: { ...tls, ca: null } });
  });

  it('migrations: limits and attempts for drains and restores, defaulting to 1 out, 1 in, 2 in the fleet', () => {
    const d = parse({ tls, stateDir: '/s' });
    expect(d.ok && jobSettingsOf(d.value)).toEqual({ limits: { perSource: 1, perTarget: 1, global: 2 }, maxAttempts: 3, reserveMiB: 1024, minProgressTimeoutMs: 60_000, minCompletionMs: 120_000 });
    const set = parse({ tls, stateDir: '/s', migrations: { maxPerSource: 2, maxInFleet: 4, reserveMiB: 2048 } });
    expect(set.ok && jobSettingsOf(set.value)).toEqual({ limits: { perSource: 2, perTarget: 1, global: 4 }, maxAttempts: 3, reserveMiB: 2048, minProgressTimeoutMs: 60_000, minCompletionMs: 120_000 });
    const bad = parse({ tls, stateDir: '/s', migrations: { maxInFleet: 0, parallel: 3 } });
    expect(!bad.ok && bad.error.message).toMatch(/migrations/);
  });

  it('migrations: the least silence and the least deadline of a migration, in seconds, the silence not above the deadline', () => {
    const slow = parse({ tls, stateDir: '/s', migrations: { stuckAfterSeconds: 180, minDeadlineSeconds: 600 } });
    expect(slow.ok && jobSettingsOf(slow.value)).toMatchObject({ minProgressTimeoutMs: 180_000, minCompletionMs: 600_000 });
    const above = parse({ tls, stateDir: '/s', migrations: { stuckAfterSeconds: 180 } });
    expect(!above.ok && above.error.message).toMatch(/key "migrations.stuckAfterSeconds": must not be above migrations.minDeadlineSeconds \(120\)/);
    const tooShort = parse({ tls, stateDir: '/s', migrations: { stuckAfterSeconds: 2 } });
    expect(!tooShort.ok && tooShort.error.message).toMatch(/migrations.stuckAfterSeconds/);
  });

  it('plaintext is refused off loopback, naming the key and the fix', () => {
    const r = parse({ tls: false, stateDir: '/s', listen: { host: '0.0.0.0' } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toEqual({ code: 'XH_ERR_CONFIG', message: expect.stringMatching(/^\/etc\/xenherd\/controller.json: key "tls": plaintext \(tls: false\) is allowed only on a loopback address.*listen on 127.0.0.1/) });
    expect(parse({ tls: false, stateDir: '/s', listen: { host: 'localhost' } }).ok).toBe(false);
    expect(parse({ tls: false, stateDir: '/s', listen: { host: '127.0.0.1' } }).ok).toBe(true);
    expect(parse({ tls: false, stateDir: '/s', listen: { host: '::1' } }).ok).toBe(true);
  });

  it('TLS is not optional: a config without tls says what tls must be, not zod\'s "Invalid input"', () => {
    const r = parse({ stateDir: '/s' });
    expect(!r.ok && r.error.message).toMatch(/key "tls": is missing: it must be \{"cert": .*"key": .*\} \(PEM files, "ca" optional; `xenherd-controller init` makes them\), or false for plaintext, allowed only when listen.host is a loopback address/);
    for (const tls of [true, 'yes', 1, null]) {
      const wrong = parse({ tls, stateDir: '/s' });
      expect(!wrong.ok && wrong.error.message).toMatch(/key "tls": must be \{"cert": .*or false for plaintext/);
    }
    const half = parse({ tls: { cert: '/x/server.crt' }, stateDir: '/s' });
    expect(!half.ok && half.error.message).toMatch(/key "tls": lacks "key": it must be \{"cert"/);
    for (const m of [r, half].map((x) => !x.ok && x.error.message)) expect(m).not.toContain('Invalid input');
    const relative = parse({ tls: { cert: 'server.crt', key: '/x/k' }, stateDir: '/s' });
    expect(!relative.ok && relative.error.message).toContain('key "tls.cert": must be an absolute path');
  });

  it('unknown keys, wrong types and inconsistent timing name their key', () => {
    const unknown = parse({ tls, stateDir: '/s', heartbeat: 5 });
    expect(!unknown.ok && unknown.error.message).toContain('unknown key "heartbeat": remove it or fix its spelling');
    const relative = parse({ tls, stateDir: 'state' });
    expect(!relative.ok && relative.error.message).toContain('key "stateDir": must be an absolute path');
    const timing = parse({ tls, stateDir: '/s', heartbeatSeconds: 10, staleAfterSeconds: 15 });
    expect(!timing.ok && timing.error.message).toContain('key "staleAfterSeconds": must be at least twice heartbeatSeconds');
    const small = parse({ tls, stateDir: '/s', maxMessageBytes: 10 });
    expect(!small.ok && small.error.message).toContain('key "maxMessageBytes"');
    const notJson = parseControllerConfig('{', F);
    expect(!notJson.ok && notJson.error.message).toMatch(/not valid JSON/);
    const comment = parseControllerConfig('{\n  "stateDir": "/var/lib/xenherd-controller", // where\n  "listen": "0.0.0.0:7443"\n}\n', F);
    expect(!comment.ok && comment.error.message).toMatch(new RegExp(`^${F.replace(/[.]/g, '\\.')}: line 2, column 46: not valid JSON \\(Expected double-quoted property name\\): fix the syntax`));
  });

  it('refuses a key given twice: "listen" added at the top of a file with an older one lower down', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-controller-json-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'controller.json');
    const lines = ['{', '  "listen": "127.0.0.1:9443",', `  "tls": ${JSON.stringify(tls)},`, '  "stateDir": "/var/lib/xenherd-controller",', '  "listen": "0.0.0.0:7443"', '}'];
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(loadConfig(file)).toEqual({ ok: false, error: { code: 'XH_ERR_CONFIG', message: `${file}: line 5, column 3: key "listen" appears twice (lines 2 and 5): keep one` } });
  });

  it('loopback means a literal loopback address', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', 'localhost', '::', 'example.org'].map(isLoopbackAddress)).toEqual([false, false, false, false, false]);
  });
});
