import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultAgentConfig, parseAgentConfig } from '../../../agent/config/load.js';
import { loadAgentConfig } from '../../../agent/config/resolve.js';

const parse = (v: unknown) => parseAgentConfig(typeof v === 'string' ? v : JSON.stringify(v), '/etc/xenherd/agent.json');
const message = (v: unknown): string => {
  const r = parse(v);
  if (r.ok) throw new Error('expected a config error');
  expect(r.error.code).toBe('XH_ERR_CONFIG');
  return r.error.message;
};

describe('agent config', () => {
  it('defaults to the seed: 4 starts at once, deferred re-check every 300 s ± 60 s, the usual paths', () => {
    const c = defaultAgentConfig();
    expect(c).toMatchObject({
      guardedDir: '/etc/xen/drbd-auto',
      stateDir: '/var/lib/xenherd',
      controlSocket: '/run/xenherd/agent.sock',
      autostart: { enabled: true, parallel: 4, deferRecheckSeconds: 300, deferJitterSeconds: 60 },
      events: { drbd: 'auto', domains: 'auto' },
    });
    expect(parse({})).toEqual({ ok: true, value: c });
  });

  it('reads past a byte-order mark before the JSON (as some editors save it)', () => {
    const r = parse('\ufeff{"autostart": {"parallel": 2}}');
    expect(r.ok && r.value.autostart.parallel).toBe(2);
  });

  it('fills defaults inside a partly given section', () => {
    const r = parse({ autostart: { parallel: 2 } });
    expect(r.ok && r.value.autostart).toMatchObject({ parallel: 2, deferRecheckSeconds: 300 });
  });

  it.each([
    [{ paralell: 3 }, 'unknown key "paralell": remove it or fix its spelling'],
    [{ autostart: { paralell: 3 } }, 'unknown key "autostart.paralell"'],
    [{ autostart: { parallel: 0 } }, 'key "autostart.parallel": must be at least 1'],
    [{ autostart: { parallel: 2.5 } }, 'key "autostart.parallel": must be a whole number, e.g. 4'],
    [{ autostart: { parallel: '4' } }, 'key "autostart.parallel": must be a whole number, e.g. 4'],
    [{ stateDir: 'var/lib' }, 'key "stateDir": must be an absolute path, e.g. /var/lib/xenherd'],
    [{ toolstack: 'xe' }, 'key "toolstack": must be "xl" or "xm"'],
    [{ events: { drbd: 'push' } }, 'key "events.drbd": must be "auto" or "poll"'],
    [{ autostart: { deferRecheckSeconds: -1 } }, 'key "autostart.deferRecheckSeconds": must be more than 0'],
    [{ autostart: { deferRecheckSeconds: 10, deferJitterSeconds: 10 } }, 'key "autostart.deferJitterSeconds": must be less than'],
    [{ autostart: { retryInitialSeconds: 60, retryMaxSeconds: 30 } }, 'key "autostart.retryMaxSeconds": must be at least'],
    [{ migration: { peers: { 'xen 2': {} } } }, 'key "migration.peers.xen 2": the peer name "xen 2" is not a host name: give the Dom0\'s name as `xl info`'],
    [{ migration: { peers: { 'xen2.': {} } } }, 'key "migration.peers.xen2.": the peer name "xen2." is not a host name'],
    [{ migration: { sshUser: 'root; rm -rf /' } }, 'key "migration.sshUser": must be a POSIX user name (lower-case letters, digits, _ and -, starting with a letter or _, at most 32), e.g. "root"'],
    [{ migration: { sshUser: '' } }, 'key "migration.sshUser": must be a POSIX user name'],
    [{ migration: { peers: { xen2: { address: 'xen2 ' } } } }, 'key "migration.peers.xen2.address": must be a host name or an IP address without brackets or port'],
    [{ migration: { peers: { xen2: { address: '[fd00::2]' } } } }, 'key "migration.peers.xen2.address": must be a host name or an IP address'],
    [{ migration: { peers: { xen2: { address: '10.0.0.2:2222' } } } }, 'key "migration.peers.xen2.address": must be a host name or an IP address without brackets or port (the port is its own key)'],
    [{ migration: { peers: { xen2: { address: '-oProxyCommand=x' } } } }, 'key "migration.peers.xen2.address": must be a host name'],
    [{ guardedDir: '/etc/xen/drbd-auto\n' }, 'key "guardedDir": must not contain control characters (a newline, a tab): remove them, e.g. /etc/xen/drbd-auto'],
    [{ migration: { keyFile: '/etc/xenherd/migrate\tkey' } }, 'key "migration.keyFile": must not contain control characters'],
    ['{"autostart": ', 'not valid JSON'],
    // where an editor shows it: a trailing comma on line 3
    ['{\n  "guardedDir": "/etc/xen/drbd-auto",\n  "autostart": {"parallel": 2,}\n}\n', 'line 3, column 31: not valid JSON (Expected double-quoted property name)'],
    // V8 quotes the text around an unexpected token: a token left unquoted is not repeated into the journal
    ['{"controller": {"token": xh1.xen1.abcdefghijklmnopqrstuv}}', 'line 1, column 26: not valid JSON (Unexpected token \'x\')'],
    ["{\n  'guardedDir': '/etc/xen/drbd-auto'\n}", "line 2, column 3: not valid JSON (Expected property name or '}')"],
    [{ controller: { url: 'wss://ctl.example:7443', token: 'secret', caFile: '/etc/xenherd/ca.crt' } }, 'key "controller.token": must be the token `xenherd-controller enroll` printed (xh1.…)'],
    // pasted with the space after it: said, since the text looks right to the eye
    [{ controller: { url: 'wss://ctl.example:7443', token: 'xh1.xen1.abcdefghijklmnopqrstuv ', caFile: '/etc/xenherd/ca.crt' } }, 'printed (xh1.…) (it begins or ends with a space or line break: remove that)'],
    ['[1]', 'must be a JSON object'],
  ])('%j → %s', (input, expected) => {
    expect(message(input)).toContain(expected);
  });

  it('does not repeat a token left unquoted into the message (V8 quotes the text around the token it stops at)', () => {
    const m = message('{"controller": {"token": xh1.xen1.abcdefghijklmnopqrstuv}}');
    expect([m.includes('abcdefghijklmnopqrstuv'), m]).toEqual([false, expect.stringContaining('line 1, column 26: not valid JSON')]);
  });

  it('refuses a key given twice (JSON.parse would take the last), naming the file, the place, the key and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-agent-json-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'agent.json');
    writeFileSync(file, '\ufeff{\n  "autostart": {\n    "parallel": 2,\n    "enabled": true,\n    "parallel": 8\n  }\n}\n');
    expect(loadAgentConfig(file, '/')).toEqual({
      ok: false,
      error: { code: 'XH_ERR_CONFIG', message: `${file}: line 5, column 5: key "autostart.parallel" appears twice (lines 3 and 5): keep one` },
    });
    // the same key in two objects is two keys
    expect(parse('{"migration": {"peers": {"xen2": {"address": "10.0.0.2"}, "xen3": {"address": "10.0.0.3"}}}}').ok).toBe(true);
  });

  it('takes host-name peers, POSIX user names and plain paths', () => {
    const r = parse({ guardedDir: '/etc/xen/drbd auto', migration: { sshUser: 'xen-migrate', peers: { xen2: {}, 'xen-3.example.org': { address: '10.0.0.3' }, xen4: { address: 'fd00::4' }, xen5: { address: 'xen5.storage.example.org' } } } });
    expect(r.ok && r.value.migration).toMatchObject({ sshUser: 'xen-migrate', peers: { xen2: {}, 'xen-3.example.org': { address: '10.0.0.3' } } });
    expect(parse({ migration: { sshUser: 'machine$' } }).ok).toBe(true);
  });

  it('refuses a state dir, control socket or key in a directory the system shares (it would be made 0700), naming the key and a dir of its own', () => {
    expect(message({ controlSocket: '/run/agent.sock' })).toBe(
      '/etc/xenherd/agent.json: key "controlSocket": is in /run, a directory the system shares with other programs: xenherd makes its directories private (mode 0700), which would lock them out; use a directory of its own, e.g. /run/xenherd/agent.sock',
    );
    expect(message({ stateDir: '/var/lib/' })).toMatch(/key "stateDir": is \/var\/lib, a directory the system shares .* e\.g\. \/var\/lib\/xenherd$/);
    expect(message({ migration: { keyFile: '/etc/migrate_key' } })).toMatch(/key "migration\.keyFile": is in \/etc, a directory the system shares/);
    expect(message({ stateDir: '/var/lib/../tmp' })).toMatch(/is \/var\/tmp, a directory the system shares/);
    // a directory of its own, wherever it is, is fine
    expect(parse({ stateDir: '/srv/xh', controlSocket: '/run/xh/agent.sock', migration: { keyFile: '/root/.ssh/xh_migrate' } }).ok).toBe(true);
  });

  it('reports every problem at once, each naming the file', () => {
    const m = message({ a: 1, autostart: { parallel: 0 } });
    expect(m.split('; ')).toHaveLength(2);
    for (const part of m.split('; ')) expect(part.startsWith('/etc/xenherd/agent.json: ')).toBe(true);
  });

  it('names at most ten problems, then how many more', () => {
    const peers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`bad peer ${i}`, { address: '10.0.0.1' }]));
    const r = parse({ migration: { peers } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message.match(/\/etc\/xenherd\/agent\.json: key "migration\.peers\./g)).toHaveLength(10);
    expect(r.error.message).toMatch(/; and 30 more problems$/);
  });
});
