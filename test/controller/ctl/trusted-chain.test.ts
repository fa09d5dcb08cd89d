import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untrustedBecause } from '../../../controller/ctl/trusted-chain.js';
import { parseCaBundle } from '../../../shared/tls/ca-bundle.js';
import { makeCa, makeServerCert } from '../../../controller/pki/certificate.js';

const NOW = Date.now();
const DAY = 86_400_000;
const x509 = (pem: string): X509Certificate => new X509Certificate(pem);
/** the refusal's words (null: trusted) */
const why = (...a: Parameters<typeof untrustedBecause>): string | null => untrustedBecause(...a)?.message ?? null;

describe("xenherdctl's own check of the controller's certificate chain", () => {
  const ca = makeCa('xenherd CA', NOW);
  const server = makeServerCert(ca, ['127.0.0.1', 'ctl.example', '::1'], NOW, 30);
  const other = makeCa('some other CA', NOW);
  const leaf = x509(server.certPem);
  const anchors = [x509(ca.certPem)];

  it("trusts the controller's certificate from `init` for each name it was made for", () => {
    expect(why([leaf], anchors, '127.0.0.1', NOW)).toBeNull();
    expect(why([leaf], anchors, 'ctl.example', NOW)).toBeNull();
    expect(why([leaf], anchors, '::1', NOW)).toBeNull();
  });

  it('refuses a name or address the certificate is not for', () => {
    expect(why([leaf], anchors, '10.9.9.9', NOW)).toBe('its certificate "O=xenherd, CN=127.0.0.1" does not name 10.9.9.9 (it names 127.0.0.1, ctl.example, ::1)');
    expect(why([leaf], anchors, 'evil.example', NOW)).toMatch(/does not name evil\.example/);
  });

  it('refuses a certificate another CA signed, whatever it claims to be', () => {
    const impostor = x509(makeServerCert({ ...other, commonName: 'xenherd CA' }, ['127.0.0.1'], NOW).certPem);
    expect(why([impostor], anchors, '127.0.0.1', NOW)).toMatch(/is not signed by a CA of the CA file/);
    expect(why([leaf], [x509(other.certPem)], '127.0.0.1', NOW)).toMatch(/is not signed by a CA of the CA file \(its issuer: "O=xenherd, CN=xenherd CA"\)/);
    // the server sends its CA too: the chain ends at that root, named as such, not as its own issuer
    expect(why([leaf, x509(ca.certPem)], [x509(other.certPem)], '127.0.0.1', NOW)).toBe('the chain ends at the CA "O=xenherd, CN=xenherd CA", which is not in the CA file');
  });

  it('refuses it before it is valid and after it expired; an expired CA too', () => {
    // made at NOW and backdated a day for clocks behind (controller/pki/certificate.ts)
    expect(why([leaf], anchors, '127.0.0.1', NOW - 2 * DAY)).toMatch(/is not valid before/);
    expect(why([leaf], anchors, '127.0.0.1', NOW + 31 * DAY)).toMatch(/expired/);
    const oldCa = makeCa('short-lived CA', NOW - 10 * DAY, 5);
    const itsLeaf = x509(makeServerCert(oldCa, ['127.0.0.1'], NOW - 10 * DAY, 30).certPem);
    expect(why([itsLeaf], [x509(oldCa.certPem)], '127.0.0.1', NOW)).toMatch(/"O=xenherd, CN=short-lived CA" expired/);
  });

  it('a CA file holding several certificates: any of them may be the anchor; the server certificate itself pins it', () => {
    expect(why([leaf], [x509(other.certPem), ...anchors], '127.0.0.1', NOW)).toBeNull();
    expect(why([leaf], [leaf], '127.0.0.1', NOW)).toBeNull();
  });

  it('nothing presented is nothing trusted', () => {
    expect(why([], anchors, '127.0.0.1', NOW)).toMatch(/presented no certificate/);
  });

  it('reads every certificate of a PEM bundle, and says which one is broken', () => {
    const two = parseCaBundle(`# comment\n${other.certPem}\n${ca.certPem}`);
    expect(two.ok && two.value.map((c) => c.subject)).toEqual(['O=xenherd\nCN=some other CA', 'O=xenherd\nCN=xenherd CA']);
    expect(parseCaBundle('hello')).toEqual({ ok: false, error: expect.stringMatching(/holds no PEM certificate/) });
    const broken = ca.certPem.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    expect(parseCaBundle(`${other.certPem}${broken}`)).toEqual({ ok: false, error: expect.stringMatching(/^certificate 2 of 2 is not a valid X\.509 certificate/) });
  });
});

describe('chains through intermediate CAs (an operator PKI, made with the openssl command)', () => {
  // made before this block's first test, not while the file is collected: a run filtered to other
  // tests runs no hook of this block, and would leave the directory behind
  let dir = '';
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  const openssl = (...args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.error?.message ?? r.stderr}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  /** a certificate for CN, signed by ISSUER (a name made here) with the extensions of SECTION, valid DAYS */
  const issue = (cn: string, issuer: string, section: string, days = 2): X509Certificate => {
    openssl('req', ...key, '-keyout', `${cn}.key`, '-out', `${cn}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${cn}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', String(Math.floor(Math.random() * 1e9)), '-out', `${cn}.pem`, '-days', String(days), '-extfile', 'ext.cnf', '-extensions', section);
    return x509(readFileSync(join(dir, `${cn}.pem`), 'utf8'));
  };
  let root: X509Certificate;
  let inter: X509Certificate;
  let leaf: X509Certificate;
  let notCa: X509Certificate;
  let underNotCa: X509Certificate;
  let clientOnly: X509Certificate;
  let AT = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-chain-'));
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        '[ca]',
        'basicConstraints=critical,CA:TRUE',
        'keyUsage=critical,keyCertSign,cRLSign',
        '[notca]',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,keyCertSign,digitalSignature',
        '[server]',
        'basicConstraints=critical,CA:FALSE',
        'subjectAltName=DNS:ctl.example,IP:127.0.0.1',
        'extendedKeyUsage=serverAuth',
        '[client]',
        'basicConstraints=critical,CA:FALSE',
        'subjectAltName=DNS:ctl.example,IP:127.0.0.1',
        'extendedKeyUsage=clientAuth',
        '',
      ].join('\n'),
    );
    openssl('req', '-x509', ...key, '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=root', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE');
    root = x509(readFileSync(join(dir, 'root.pem'), 'utf8'));
    inter = issue('inter', 'root', 'ca');
    leaf = issue('leaf', 'inter', 'server', 10);
    notCa = issue('notca', 'root', 'notca');
    underNotCa = issue('undernotca', 'notca', 'server');
    clientOnly = issue('clientonly', 'inter', 'client');
    // openssl starts a certificate's validity at the second it signs it, after NOW was taken
    AT = Date.now() + 3_600_000;
  });

  it('root → intermediate → server: trusted when the server sends the intermediate', () => {
    expect(why([leaf, inter], [root], 'ctl.example', AT)).toBeNull();
    expect(why([leaf], [root], 'ctl.example', AT)).toMatch(/"CN=leaf" is not signed by a CA of the CA file \(its issuer: "CN=inter"\)/);
  });

  it('the intermediate alone in the CA file is an anchor too', () => {
    expect(why([leaf], [inter], 'ctl.example', AT)).toBeNull();
  });

  it('a certificate that is not a CA signs nothing, even with keyCertSign', () => {
    expect(why([underNotCa, notCa], [root], 'ctl.example', AT)).toMatch(/"CN=undernotca" is not signed by a CA/);
  });

  it('a certificate only for TLS clients is not a server certificate', () => {
    expect(why([clientOnly, inter], [root], 'ctl.example', AT)).toMatch(/is not for TLS servers \(extended key usage 1\.3\.6\.1\.5\.5\.7\.3\.2\)/);
  });

  it('a CA file with an old and a renewed copy of the CA (one key): the one still valid is the anchor', () => {
    openssl('req', '-x509', '-key', 'root.key', '-out', 'root-short.pem', '-subj', '/CN=root', '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE');
    openssl('req', '-x509', '-key', 'root.key', '-out', 'root-long.pem', '-subj', '/CN=root', '-days', '20', '-addext', 'basicConstraints=critical,CA:TRUE');
    const short = x509(readFileSync(join(dir, 'root-short.pem'), 'utf8'));
    const long = x509(readFileSync(join(dir, 'root-long.pem'), 'utf8'));
    const direct = issue('direct', 'root', 'server', 10);
    const later = AT + 1.5 * DAY;
    expect(why([direct], [short, long], 'ctl.example', later)).toBeNull();
    expect(why([direct], [short], 'ctl.example', later)).toMatch(/^"CN=root" expired/);
  });

  it('an intermediate that expired breaks the chain', () => {
    expect(why([leaf, inter], [root], 'ctl.example', AT + 3 * DAY)).toMatch(/^"CN=inter" expired/);
    expect(why([leaf], [inter], 'ctl.example', AT + 3 * DAY)).toMatch(/^"CN=inter" expired/);
  });
});
