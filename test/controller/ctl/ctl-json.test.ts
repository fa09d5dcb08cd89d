import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ctlConfigPath, ctlTokenExposure, loadCtlConfig } from '../../../controller/ctl/config.js';
import { ctlFileRefusal } from '../../../controller/ctl/ctl-file-place.js';
import { jsonSyntaxError } from '../../../shared/text/json-syntax-error.js';
import { makeCa } from '../../../controller/pki/certificate.js';

// ~/.config/xenherd/ctl.json as a new operator writes it: under umask 022 (0644), with a CA file
// beside it named relatively, with a slip in its JSON.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const URL_ = 'https://ctl.example:7443';

/** a HOME whose ctl.json holds TEXT with MODE; returns the HOME and the file's path */
function homeWith(text: string, mode = 0o600): { home: string; dir: string; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'xenherd-ctljson-'));
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
  const dir = join(home, '.config', 'xenherd');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'ctl.json');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return { home, dir, file };
}

const load = (env: Record<string, string | undefined>): { r: ReturnType<typeof loadCtlConfig>; warnings: string[] } => {
  const warnings: string[] = [];
  const r = loadCtlConfig(env, (line) => warnings.push(line));
  return { r, warnings };
};

describe('ctl.json holding the token, readable or writable by others', () => {
  it('one warning naming the file, its mode and the fix (chmod 600), worded as the agent words it; the config still loads', () => {
    const { home, file } = homeWith(JSON.stringify({ url: URL_, token: TOKEN }), 0o644);
    const { r, warnings } = load({ HOME: home });
    expect(r.ok).toBe(true);
    expect(warnings).toEqual([
      `xenherdctl: warning: ${file} holds the controller token ("token") but is readable by others (mode 0644): anyone who reads it can use the controller with this token; run chmod 600 ${file}\n`,
    ]);
  });

  it('no warning for 0600 or 0400, nor when the token comes from XENHERD_TOKEN', () => {
    for (const mode of [0o600, 0o400, 0o700]) {
      const { home } = homeWith(JSON.stringify({ url: URL_, token: TOKEN }), mode);
      expect(load({ HOME: home }).warnings, mode.toString(8)).toEqual([]);
    }
    const { home } = homeWith(JSON.stringify({ url: URL_ }), 0o644);
    const { r, warnings } = load({ HOME: home, XENHERD_TOKEN: TOKEN });
    expect([r.ok, warnings]).toEqual([true, []]);
  });

  it('says who can read or write it', () => {
    const f = '/home/op/.config/xenherd/ctl.json';
    expect(ctlTokenExposure(f, 0o640)).toContain('is readable by its group (mode 0640): anyone who reads it');
    expect(ctlTokenExposure(f, 0o666)).toContain('is readable and writable by others (mode 0666)');
    expect(ctlTokenExposure(f, 0o642)).toContain('is readable by its group and writable by others (mode 0642)');
    expect(ctlTokenExposure(f, 0o620)).toBe(`${f} holds the controller token ("token") but is writable by its group (mode 0620): anyone who writes it can have the token sent to a server of theirs; run chmod 600 ${f}`);
    expect(ctlTokenExposure(f, 0o611)).toBeNull(); // execute bits expose nothing
  });
});

describe('ctl.json another user owns, or anyone may write', () => {
  // its url and ca choose where the token goes, the one in it or XENHERD_TOKEN's: refused, as ssh refuses such a config
  const ownUid = process.geteuid?.() ?? 0;
  const uidOf = (): { fileUid: number; loader: number } => (ownUid === 0 ? { fileUid: 4242, loader: 0 } : { fileUid: ownUid, loader: ownUid + 1 });

  it("is refused when another user than this one or root owns it, naming it, its owner and the fix, whoever's token it would send", () => {
    const { fileUid, loader } = uidOf();
    for (const [text, env] of [
      [{ url: URL_, token: TOKEN }, {}],
      [{ url: URL_ }, { XENHERD_TOKEN: TOKEN }],
    ] as const) {
      const { home, file } = homeWith(JSON.stringify(text));
      if (ownUid === 0) chownSync(file, fileUid, fileUid);
      const r = loadCtlConfig({ HOME: home, ...env }, () => undefined, { uid: loader, gid: process.getegid?.() ?? 0 });
      expect(r.ok ? 'loaded' : r.error).toEqual({
        code: 'XH_ERR_CONFIG',
        message: `${file} is owned by uid ${fileUid}, not by you (uid ${loader}) or root: its owner chooses where xenherdctl sends the token, so it is not used; make it yours (chown ${loader} ${file}; chmod 600 ${file}), or set XENHERD_URL, XENHERD_TOKEN and XENHERD_CA instead`,
      });
    }
  });

  it('is refused when others may write it, token or not; one its group or others only read still loads with its warning', () => {
    const { home, file } = homeWith(JSON.stringify({ url: URL_ }), 0o646);
    const { r } = load({ HOME: home, XENHERD_TOKEN: TOKEN });
    expect(r.ok ? 'loaded' : r.error.message).toBe(
      `${file} is writable by others (mode 0646): anyone can choose where xenherdctl sends the token, so it is not used; run chmod 600 ${file}, or set XENHERD_URL, XENHERD_TOKEN and XENHERD_CA instead`,
    );
    const readable = homeWith(JSON.stringify({ url: URL_, token: TOKEN }), 0o644);
    expect(load({ HOME: readable.home }).r.ok).toBe(true);
  });

  it('one root owns is used, as ssh uses it', () => {
    const op = { uid: 1000, gid: 1000 };
    expect(ctlFileRefusal('/home/op/.config/xenherd/ctl.json', { mode: 0o600, uid: 0, gid: 0 }, op)).toBeNull();
    expect(ctlFileRefusal('/home/op/.config/xenherd/ctl.json', { mode: 0o664, uid: 1000, gid: 1000 }, op)).toBeNull();
    expect(ctlFileRefusal('/home/op/.config/xenherd/ctl.json', { mode: 0o600, uid: 1001, gid: 1000 }, op)).toContain('is owned by uid 1001, not by you (uid 1000) or root');
  });
});

describe('a relative "ca" in ctl.json', () => {
  it("is read from ctl.json's own directory, not from wherever xenherdctl runs", () => {
    const { home, dir } = homeWith(JSON.stringify({ url: URL_, token: TOKEN, ca: 'ca.crt' }));
    writeFileSync(join(dir, 'ca.crt'), makeCa('xenherd CA', Date.now()).certPem);
    const { r } = load({ HOME: home });
    expect(r.ok && r.value.ca?.length).toBe(1);
  });

  it('a missing one is named by the path it was looked for at', () => {
    const { home, dir, file } = homeWith(JSON.stringify({ url: URL_, token: TOKEN, ca: 'tls/ca.crt' }));
    const { r } = load({ HOME: home });
    expect(r.ok ? null : r.error.message).toBe(`${file}: key "ca": cannot read the CA certificate: ${join(dir, 'tls', 'ca.crt')}: does not exist`);
  });

  it('XENHERD_CA, typed in a shell, stays relative to the current directory, and is named resolved', () => {
    const { home } = homeWith(JSON.stringify({ url: URL_, token: TOKEN }));
    const elsewhere = mkdtempSync(join(tmpdir(), 'xenherd-ca-'));
    onTestFinished(() => rmSync(elsewhere, { recursive: true, force: true }));
    writeFileSync(join(elsewhere, 'ca.crt'), makeCa('xenherd CA', Date.now()).certPem);
    const fromHere = relative(process.cwd(), join(elsewhere, 'ca.crt'));
    const found = load({ HOME: home, XENHERD_CA: fromHere }).r;
    expect(found.ok && found.value.ca?.length).toBe(1);
    const missing = load({ HOME: home, XENHERD_CA: 'no-such-ca.crt' }).r;
    expect(missing.ok ? null : missing.error.message).toBe(`XENHERD_CA: cannot read the CA certificate: ${resolve('no-such-ca.crt')}: does not exist`);
  });
});

describe('invalid JSON in ctl.json', () => {
  it('is placed by line and column, as a key given twice is, not by position', () => {
    const { home, file } = homeWith(`{\n  "url": "${URL_}",\n  "token": "${TOKEN}",\n}\n`);
    const { r } = load({ HOME: home });
    expect(r.ok ? null : r.error).toEqual({
      code: 'XH_ERR_CONFIG',
      message: `${file}: line 4, column 1: not valid JSON (Expected double-quoted property name): fix the syntax, e.g. {"url": "https://ctl.example:7443", "token": "xh1....", "ca": "/etc/xenherd/tls/ca.crt"}`,
    });
  });

  it('an unquoted token: placed too (V8 gives no position there), and not quoted back into the message', () => {
    const { home, file } = homeWith(`{\r\n  "url": "${URL_}",\r\n  "token": ${TOKEN}\r\n}`);
    const { r } = load({ HOME: home });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: line 3, column 12: not valid JSON \\(Unexpected token 'x'\\): fix the syntax`));
    expect(r.error.message).not.toContain('000000000000');
  });

  it('lines and columns as an editor shows them: a lone \\r ends a line, a byte-order mark and a surrogate pair are one column or none', () => {
    expect(jsonSyntaxError('{"a": 1,\r"b": x}')).toEqual({ line: 2, column: 6, why: "Unexpected token 'x'" });
    expect(jsonSyntaxError('{"😀": 1 "b": 2}')).toMatchObject({ line: 1, column: 9 });
    expect(jsonSyntaxError('{"a": 1} x')).toEqual({ line: 1, column: 10, why: 'Unexpected non-whitespace character after JSON' });
    expect(jsonSyntaxError('{"a": "')).toMatchObject({ line: 1, column: 8 });
    expect(jsonSyntaxError('{"a": 1}')).toBeNull();
    const { home, file } = homeWith(`\ufeff{"url": tru}`);
    const { r } = load({ HOME: home });
    expect(r.ok ? null : r.error.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: line 1, column 12: not valid JSON \\(Unexpected token '}'\\)`));
  });
});

describe('where ctl.json is looked for', () => {
  it('takes XDG_CONFIG_HOME and HOME only when absolute: an empty or relative one never reads a ctl.json of the current directory', () => {
    expect(ctlConfigPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/op' })).toBe('/x/cfg/xenherd/ctl.json');
    expect(ctlConfigPath({ XDG_CONFIG_HOME: '', HOME: '/home/op' })).toBe('/home/op/.config/xenherd/ctl.json');
    expect(ctlConfigPath({ XDG_CONFIG_HOME: 'cfg', HOME: '/home/op' })).toBe('/home/op/.config/xenherd/ctl.json');
    expect(ctlConfigPath({ XDG_CONFIG_HOME: '', HOME: '' })).toBeNull();
    expect(ctlConfigPath({ HOME: 'op' })).toBeNull();
    expect(ctlConfigPath({})).toBeNull();
  });
});
