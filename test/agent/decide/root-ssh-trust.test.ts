import { describe, expect, it } from 'vitest';
import { judge, type PreflightFacts } from '../../../agent/decide/preflight.js';
import { judgeRootSshTrust, lookupNames, type KnownHostsRead, type RootSshTrustFacts } from '../../../agent/decide/root-ssh-trust.js';
import type { SshHostKeyOptions } from '../../../agent/parse/ssh-g-host-keys.js';

// Whether `xl migrate`'s own ssh (root's) takes xen2's host key without asking, judged as
// OpenSSH's check_host_key does over the files `ssh -G xen2` names. The hashed lines were written
// by `ssh-keygen -H` from `xen2 KEY` and `[10.0.0.2]:2222 KEY` (as in the known_hosts adapter's test).
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIItAA7O3Z2VJBGSE47Eiv4KgLcLy1N5jJgYUKx0D96cG';
const blob = Buffer.from(KEY, 'base64');
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIP7H8ZbH6xY7KUa6iCnxqgVxvbuVeGQo4PnJUDE3BBIH';
/** an ECDSA key: another type than the agent vouches with */
const ECDSA = `AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABB${'A'.repeat(86)}==`;
const HASHED_XEN2 = `|1|PGt3XBkRLXfLtHQmlXBfWwS4afM=|cpXRURBvAUqX+49mV1WiY+R5VPM= ssh-ed25519 ${KEY}`;

const USER = '/root/.ssh/known_hosts';
const GLOBAL = '/etc/ssh/ssh_known_hosts';
const options = (o: Partial<SshHostKeyOptions> = {}): SshHostKeyOptions => ({ host: 'xen2', hostKeyAlias: null, strict: 'ask', userFiles: [USER], globalFiles: [GLOBAL], knownHostsCommand: null, checkHostIp: false, verifyHostKeyDns: 'no', revokedHostKeys: null, ...o });
const facts = (user: string | null, o: Partial<SshHostKeyOptions> = {}, port = 22, extra: Partial<RootSshTrustFacts> = {}): RootSshTrustFacts => {
  const opts = options(o);
  const files: KnownHostsRead[] = [...opts.userFiles.map((file): KnownHostsRead => (user === null ? { file, missing: true } : { file, text: user })), ...opts.globalFiles.map((file): KnownHostsRead => ({ file, missing: true }))];
  return { peer: 'xen2', hostname: '10.0.0.2', port, options: opts, files, vouched: [blob], vouchedBy: '/etc/xenherd/known_hosts', revokedFile: null, addresses: [], ...extra };
};
const verdict = (...a: Parameters<typeof facts>): ReturnType<typeof judgeRootSshTrust> => judgeRootSshTrust(facts(...a));

describe("root's ssh and xen2's host key: the names it looks up", () => {
  it('the host at port 22, [host]:port then the bare host at another, HostKeyAlias as it is at any port', () => {
    expect(lookupNames({ peer: 'xen2', port: 22, options: options() })).toEqual({ first: 'xen2', bare: null });
    expect(lookupNames({ peer: 'xen2', port: 2222, options: options() })).toEqual({ first: '[xen2]:2222', bare: 'xen2' });
    expect(lookupNames({ peer: 'xen2', port: 2222, options: options({ hostKeyAlias: 'xen2-mig' }) })).toEqual({ first: 'xen2-mig', bare: null });
    // a release that prints no `host` line: the name asked, lower-cased as ssh does
    expect(lookupNames({ peer: 'XEN2', port: 22, options: options({ host: null }) })).toEqual({ first: 'xen2', bare: null });
  });
});

describe("root's ssh and xen2's host key: known", () => {
  it('a line naming xen2 alone passes, as it did before root\'s files were read (no address needed)', () => {
    expect(verdict(`xen2 ssh-ed25519 ${KEY}\n`)).toEqual({ ok: true, detail: `root's ssh (xl migrate's) looks xen2's host key up as xen2 in ${USER}, ${GLOBAL}, and knows it (${USER}:1)` });
  });

  it('a hashed line, a line in the global file, a wildcard list', () => {
    expect(verdict(`${HASHED_XEN2}\n`).ok).toBe(true);
    expect(verdict(`xen* ssh-ed25519 ${KEY}\n`).ok).toBe(true);
    const global: RootSshTrustFacts = { ...facts(null), files: [{ file: USER, missing: true }, { file: GLOBAL, text: `# fleet keys\nxen1,xen2 ssh-ed25519 ${KEY}\n` }] };
    expect(judgeRootSshTrust(global)).toMatchObject({ ok: true, detail: expect.stringContaining(`knows it (${GLOBAL}:2)`) });
  });

  it('HostKeyAlias: the alias is looked up, not the name, and no port is added to it', () => {
    expect(verdict(`xen2-mig ssh-ed25519 ${KEY}\n`, { hostKeyAlias: 'xen2-mig' }, 2222)).toMatchObject({ ok: true, detail: expect.stringContaining('as xen2-mig (HostKeyAlias)') });
    // the name alone does not count under an alias, as ssh does not look it up
    expect(verdict(`xen2 ssh-ed25519 ${KEY}\n`, { hostKeyAlias: 'xen2-mig', strict: 'yes' })).toMatchObject({ ok: false, code: 'XH_ERR_FILE' });
  });

  it('at another port: [xen2]:2222, else the bare line while none lists a key for the port', () => {
    expect(verdict(`[xen2]:2222 ssh-ed25519 ${KEY}\n`, {}, 2222).ok).toBe(true);
    expect(verdict(`xen2 ssh-ed25519 ${KEY}\n`, {}, 2222).ok).toBe(true);
    // a [xen2]:2222 line with another key: ssh decides on it and never reads the bare one
    const v = verdict(`[xen2]:2222 ssh-ed25519 ${OTHER}\nxen2 ssh-ed25519 ${KEY}\n`, {}, 2222);
    expect(v).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining(`the key listed at ${USER}:1 is not the one xen2 shows`) });
  });

  it('a @cert-authority line for xen2 passes, said as resting on the certificate', () => {
    expect(verdict(`@cert-authority *.example.org,xen2 ssh-ed25519 ${OTHER}\n`, { strict: 'yes' })).toMatchObject({ ok: true, detail: expect.stringContaining(`a @cert-authority line names it (${USER}:1)`) });
  });
});

describe("root's ssh and xen2's host key: unknown", () => {
  it('ask: refused, as ssh would prompt mid-migration; the fix scans where ssh connects and files it under the name ssh looks up', () => {
    expect(verdict(null)).toEqual({
      ok: false,
      code: 'XH_ERR_FILE',
      detail: `root's ssh (xl migrate's) looks xen2's host key up as xen2 in ${USER}, ${GLOBAL}, which list no key for it: ssh would ask whether to trust the key (StrictHostKeyChecking ask), and during a migration no one answers: "Host key verification failed"; fix: add xen2's key after checking its fingerprint (\`ssh-keyscan 10.0.0.2 | sed 's/^[^ ]*/xen2/' >> ${USER}\`; \`ssh-keygen -F 'xen2' -f ${USER}\` shows what is listed)`,
    });
  });

  it("a line for xen2 that ssh skips (its key cut short, pasted with a line break): named with why and the fix", () => {
    expect(verdict(`xen2 ssh-ed25519 ${KEY.slice(0, 20)}\n${KEY.slice(20)}\nxen9 ssh-ed25519 AAAA\n`, { strict: 'yes' })).toMatchObject({
      ok: false,
      code: 'XH_ERR_FILE',
      detail: expect.stringContaining(`which list no key for it; ssh skips ${USER}:1 (the ssh-ed25519 key does not decode as one): mend or remove that line: ssh refuses`),
    });
  });

  it('UserKnownHostsFile /dev/null: ssh keeps no key it takes, and the key is pinned in a file that can hold one', () => {
    // the lab's and many automated Dom0s' root ssh_config: StrictHostKeyChecking no, UserKnownHostsFile /dev/null
    const v = verdict('', { strict: 'no', userFiles: ['/dev/null'] });
    expect(v).toMatchObject({ ok: true, detail: expect.stringContaining('ssh takes the key it is shown at every connection and keeps none (UserKnownHostsFile /dev/null) (StrictHostKeyChecking no)') });
    expect(v.detail).toContain(`\`ssh-keyscan 10.0.0.2 | sed 's/^[^ ]*/xen2/' >> ${GLOBAL}\`; \`ssh-keygen -F 'xen2' -f ${GLOBAL}\``);
    expect(v.detail).not.toContain('>> /dev/null');
    const nowhere = verdict('', { strict: 'yes', userFiles: ['/dev/null'], globalFiles: ['/dev/null'] });
    expect(nowhere).toMatchObject({
      ok: false,
      detail: expect.stringContaining("fix: name a known_hosts file in root's ssh_config (UserKnownHostsFile or GlobalKnownHostsFile; every one it names is /dev/null) and add xen2's key there"),
    });
  });

  it('yes: refused; accept-new and no: passed, saying ssh takes the first key it is shown', () => {
    expect(verdict('', { strict: 'yes' })).toMatchObject({ ok: false, detail: expect.stringContaining('(StrictHostKeyChecking yes)') });
    expect(verdict('', { strict: 'accept-new' })).toMatchObject({ ok: true, detail: expect.stringContaining('ssh adds the key it is shown at the first connection (StrictHostKeyChecking accept-new)') });
    expect(verdict('', { strict: 'no' }).ok).toBe(true);
  });

  it('a line for the address only does not count: ssh looks up the name (CheckHostIP aside)', () => {
    expect(verdict(`10.0.0.2 ssh-ed25519 ${KEY}\n`).ok).toBe(false);
  });

  it("a file that cannot be read is named; the fix keyscans with the port under ssh's own [host]:port name", () => {
    const f: RootSshTrustFacts = { ...facts(null, {}, 2222), files: [{ file: USER, problem: `${USER}: permission denied (EACCES)` }, { file: GLOBAL, missing: true }] };
    const v = judgeRootSshTrust(f);
    expect(v).toMatchObject({ ok: false, detail: expect.stringContaining(`; not read here: ${USER}: ${USER}: permission denied (EACCES): `) });
    expect(v.detail).toContain(`\`ssh-keyscan -p 2222 10.0.0.2 | sed 's/^[^ ]*/[xen2]:2222/' >> ${USER}\``);
  });

  it('a KnownHostsCommand may list it: passed, said as not run here', () => {
    expect(verdict(null, { knownHostsCommand: '/usr/local/bin/keys %H' })).toMatchObject({ ok: true, detail: expect.stringContaining('KnownHostsCommand `/usr/local/bin/keys %H` may (not run here)') });
  });
});

describe("root's ssh and xen2's host key: another or a revoked key", () => {
  it('another key of the type the agent vouches with: refused as a changed key, naming the line and the ssh-keygen -R', () => {
    const v = verdict(`xen2 ssh-ed25519 ${OTHER}\n`);
    expect(v).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(v.detail).toContain(`REMOTE HOST IDENTIFICATION HAS CHANGED; fix: if xen2's key was replaced, \`ssh-keygen -R 'xen2' -f ${USER}\`, then add`);
    // under no ssh warns and goes on
    expect(verdict(`xen2 ssh-ed25519 ${OTHER}\n`, { strict: 'no' }).ok).toBe(true);
  });

  it('a key of another type only: not compared, passed (ssh would negotiate the type it knows)', () => {
    expect(verdict(`xen2 ecdsa-sha2-nistp256 ${ECDSA}\n`)).toMatchObject({ ok: true, detail: expect.stringContaining('ecdsa-sha2-nistp256): not compared') });
  });

  it('the key xen2 shows marked @revoked: refused even when another line lists it, unless StrictHostKeyChecking no', () => {
    const text = `xen2 ssh-ed25519 ${KEY}\n@revoked * ssh-ed25519 ${KEY}\n`;
    expect(verdict(text)).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining(`is marked @revoked at ${USER}:2: ssh refuses it`) });
    expect(verdict(`@revoked xen2 ssh-ed25519 ${KEY}\n`, { strict: 'accept-new' })).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(verdict(text, { strict: 'no' }).ok).toBe(true);
  });

  it('nothing vouched by the agent: a listed key passes unchecked, as before', () => {
    expect(judgeRootSshTrust(facts(`xen2 ssh-ed25519 ${OTHER}\n`, {}, 22, { vouched: [] }))).toMatchObject({ ok: true, detail: expect.stringContaining('/etc/xenherd/known_hosts lists none to compare it with') });
  });
});

describe('the preflight\'s toolstack-route check reads root\'s ssh trust', () => {
  const preflight = (trust: RootSshTrustFacts): PreflightFacts => ({
    name: 'web1',
    here: undefined,
    resourceHosts: new Map(),
    drbd: { host: 'xen1', resources: new Map() },
    keys: new Map(),
    sshd: new Map(),
    status: new Map(),
    routes: new Map([['xen2', { peer: 'xen2', toolstack: 'xl', checked: { address: 'xen2', port: 22, configured: false, addresses: null }, tool: { hostname: 'xen2', port: 22, proxy: null, addresses: null }, toolKey: null, trust }]]),
  });

  it('the right machine whose key root\'s ssh does not know is refused before anything moves', () => {
    const v = judge({ check: 'toolstack-route', peer: 'xen2' }, preflight(facts(null)));
    expect([v.ok, v.code]).toEqual([false, 'XH_ERR_FILE']);
    expect(v.detail).toMatch(/^root's ssh \(xl migrate's\) looks xen2's host key up as xen2 in /);
  });

  it('a known key passes, the route said first', () => {
    const v = judge({ check: 'toolstack-route', peer: 'xen2' }, preflight(facts(`xen2 ssh-ed25519 ${KEY}\n`)));
    expect(v).toMatchObject({ ok: true, detail: `xl migrate (root's ssh) reaches xen2 at xen2 port 22, the address the checks use; root's ssh (xl migrate's) looks xen2's host key up as xen2 in ${USER}, ${GLOBAL}, and knows it (${USER}:1)` });
  });
});

describe("root's ssh and xen2's host key: CheckHostIP, VerifyHostKeyDNS, RevokedHostKeys", () => {
  const ip = (user: string, o: Partial<SshHostKeyOptions> = {}): ReturnType<typeof judgeRootSshTrust> => verdict(user, { checkHostIp: true, ...o }, 22, { addresses: ['10.0.0.2'] });
  it("CheckHostIP yes: another key of that type on the address's own line is refused unless StrictHostKeyChecking no; the same key, or none, passes", () => {
    const changed = `xen2 ssh-ed25519 ${KEY}\n10.0.0.2 ssh-ed25519 ${OTHER}\n`;
    expect(ip(changed)).toEqual({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: `root's ssh (xl migrate's) looks xen2's host key up as xen2 in ${USER}, ${GLOBAL}, and knows it (${USER}:1); but 10.0.0.2's own line (${USER}:2, CheckHostIP yes) lists another ssh-ed25519 key than xen2 shows: ssh refuses it ("differs from the key for the IP address", asked with no one to answer); fix: if xen2's key was replaced, \`ssh-keygen -R '10.0.0.2' -f ${USER}\`, or set CheckHostIP no for xen2 in root's ssh_config`,
    });
    expect(ip(changed, { strict: 'accept-new' })).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(ip(changed, { strict: 'no' })).toMatchObject({ ok: true, detail: expect.stringContaining('which ssh warns of and goes on past under StrictHostKeyChecking no') });
    expect(ip(`xen2 ssh-ed25519 ${KEY}\n10.0.0.2 ssh-ed25519 ${KEY}\n`)).toMatchObject({ ok: true });
    expect(ip(`xen2 ssh-ed25519 ${KEY}\n`)).toMatchObject({ ok: true });
    // CheckHostIP no (OpenSSH's default since 8.5): the address's line is not read
    expect(ip(changed, { checkHostIp: false })).toMatchObject({ ok: true });
  });

  it('VerifyHostKeyDNS yes: a key listed nowhere passes, said as an SSHFP record ssh may take (not looked up); a changed key is still refused', () => {
    expect(verdict(null, { verifyHostKeyDns: 'yes', strict: 'yes' })).toEqual({
      ok: true,
      detail: `root's ssh (xl migrate's) looks xen2's host key up as xen2 in ${USER}, ${GLOBAL}, which list no key for it; under VerifyHostKeyDNS yes ssh takes it from a DNSSEC-signed SSHFP record of 10.0.0.2 (not looked up here), and else refuses it`,
    });
    expect(verdict(null, { verifyHostKeyDns: 'ask', strict: 'yes' })).toMatchObject({ ok: false, code: 'XH_ERR_FILE' });
    expect(verdict(`xen2 ssh-ed25519 ${OTHER}\n`, { verifyHostKeyDns: 'yes' })).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining('(unless a DNSSEC-signed SSHFP record vouches for the key it shows: VerifyHostKeyDNS yes, not looked up here)') });
  });

  it('RevokedHostKeys is checked first, whatever StrictHostKeyChecking and known_hosts say', () => {
    const revokedFile = { file: '/etc/ssh/revoked', text: `ssh-ed25519 ${KEY}\n` };
    expect(verdict(`xen2 ssh-ed25519 ${KEY}\n`, { strict: 'no' }, 22, { revokedFile })).toEqual({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: `root's ssh (xl migrate's) looks xen2's host key up as xen2 in ${USER}, ${GLOBAL}, but first the key xen2 shows is listed in RevokedHostKeys /etc/ssh/revoked line 1: ssh refuses it ("revoked by file"); if xen2 was re-keyed, list its new key in the agent's known_hosts and root's`,
    });
    expect(verdict(`xen2 ssh-ed25519 ${KEY}\n`, {}, 22, { revokedFile: { file: '/etc/ssh/revoked', text: `ssh-ed25519 ${OTHER}\n` } })).toMatchObject({ ok: true });
  });
});
