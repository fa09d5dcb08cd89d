import { describe, expect, it } from 'vitest';
import { parseSshG } from '../../../agent/parse/ssh-g.js';
import { readFixture } from '../../fixture.js';

// OpenSSH 9.2's whole `ssh -G xen2` under a Host entry with HostName and Port, as captured.
const REAL = readFixture('ssh/G-9.2p1-host-entry.txt').body;

describe('ssh -G', () => {
  it('reads hostname and port of the real dump, leaving every other line alone', () => {
    expect(parseSshG(REAL)).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 2222, proxy: null } });
    expect(parseSshG(REAL.replace(/\n/g, '\r\n'))).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 2222, proxy: null } });
  });

  it('reads the ProxyJump or ProxyCommand of the real dumps (printed only when one is set)', () => {
    const jump = readFixture('ssh/G-9.2p1-proxyjump.txt').body;
    expect(parseSshG(jump)).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 2222, proxy: { kind: 'proxyjump', value: 'admin@jump1:2200' } } });
    const command = readFixture('ssh/G-9.2p1-proxycommand.txt').body;
    expect(parseSshG(command)).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 22, proxy: { kind: 'proxycommand', value: 'ssh -W %h:%p bastion' } } });
    // "proxyusefdpass" is not a proxy; "none" (as an older ssh may print it) is none
    expect(parseSshG('hostname xen2\nport 22\nproxyusefdpass no\nproxycommand none\nproxyjump none\n')).toEqual({ ok: true, value: { hostname: 'xen2', port: 22, proxy: null } });
    expect(parseSshG('hostname xen2\nport 22\nproxyjump \n')).toMatchObject({ ok: false, error: { line: 3, expected: 'proxyjump VALUE' } });
  });

  it('output without a hostname or port line, or with one it cannot read, is XH_ERR_TOOL_OUTPUT naming the line', () => {
    expect(parseSshG('')).toMatchObject({ ok: false, error: { code: 'XH_ERR_TOOL_OUTPUT', tool: 'ssh -G', line: 0, message: 'ssh -G: output is empty: expected "hostname" and "port" lines (no hostname)' } });
    expect(parseSshG('host xen2\nhostname xen2\n')).toMatchObject({ ok: false, error: { line: 0, expected: '"hostname" and "port" lines (no port)' } });
    expect(parseSshG('hostname xen2\nport 0\n')).toMatchObject({ ok: false, error: { line: 2, text: 'port 0', expected: 'port 1-65535' } });
    expect(parseSshG('hostname xen2\nport 70000\n')).toMatchObject({ ok: false, error: { line: 2 } });
    expect(parseSshG('hostname \nport 22\n')).toMatchObject({ ok: false, error: { line: 1, expected: 'hostname NAME-OR-ADDRESS' } });
  });

  it('ConnectTimeout: its seconds as ssh -G prints them; none or 0 (the kernel\'s connect decides) left out; anything else refused', () => {
    const dump = readFixture('ssh/G-9.2p1-host-entry.txt').body;
    const at = (value: string) => parseSshG(dump.replace(/^connecttimeout none$/m, `connecttimeout ${value}`));
    expect(at('7')).toMatchObject({ ok: true, value: { connectTimeoutSeconds: 7 } });
    expect(at('none')).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 2222, proxy: null } });
    expect(at('0')).toEqual(at('none'));
    expect(at('7s')).toMatchObject({ ok: false, error: { code: 'XH_ERR_TOOL_OUTPUT', expected: 'connecttimeout SECONDS or none' } });
  });

  it('"hostkeyalias" and other keys starting alike are not the hostname', () => {
    expect(parseSshG('hostkeyalias other\nhostname xen2\nport 22\nhostbasedauthentication no\n')).toEqual({ ok: true, value: { hostname: 'xen2', port: 22, proxy: null } });
  });

  it("takes from `ssh -v`'s stderr the name ssh canonicalized into the hostname it prints (OpenSSH 9.2, as captured)", () => {
    const stdout = readFixture('ssh/G-9.2p1-canonical.txt').body;
    const stderr = readFixture('ssh/G-9.2p1-canonical-v.txt').body;
    expect(parseSshG(stdout, stderr)).toEqual({ ok: true, value: { hostname: 'xen2.example.org', port: 2222, proxy: null, canonicalizedFrom: 'xen2' } });
    expect(parseSshG(stdout)).toEqual({ ok: true, value: { hostname: 'xen2.example.org', port: 2222, proxy: null } });
    // a CNAME followed (CanonicalizePermittedCNAMEs) is the last word; one naming another host than the dump's is not taken
    const cname = `${stderr}Canonicalized DNS aliased hostname "xen2.example.org" => "real.example.net"\n`;
    expect(parseSshG(stdout.replace('hostname xen2.example.org', 'hostname real.example.net'), cname)).toMatchObject({ ok: true, value: { hostname: 'real.example.net', canonicalizedFrom: 'xen2.example.org' } });
    expect(parseSshG(stdout.replace('hostname xen2.example.org', 'hostname xen2'), stderr)).toEqual({ ok: true, value: { hostname: 'xen2', port: 2222, proxy: null } });
  });
});
