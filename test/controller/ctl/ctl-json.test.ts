import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ctlTokenExposure, loadCtlConfig } from '../../../controller/ctl/config.js';
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
