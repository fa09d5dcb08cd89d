import { describe, expect, it } from 'vitest';
import { judgeRoute, type RouteAddresses, type RouteFacts } from '../../../agent/decide/toolstack-route.js';

// Every row of the decision: whether the toolstack's move goes to the machine the checks asked.
const at = (...addresses: string[]): RouteAddresses => ({ ok: true, addresses });
const none = (name: string): RouteAddresses => ({ ok: false, why: `${name} does not resolve (ENOTFOUND)` });

const xl = (checked: Partial<RouteFacts['checked']>, tool: RouteFacts['tool']): RouteFacts => ({
  peer: 'xen2',
  toolstack: 'xl',
  checked: { address: 'xen2', port: 22, configured: false, addresses: null, ...checked },
  tool,
  toolKey: null,
});

describe('judgeRoute', () => {
  it('the same name on both sides passes without any address read (one resolver answers both)', () => {
    expect(judgeRoute(xl({}, { proxy: null, hostname: 'XEN2', port: 22, addresses: null }))).toEqual({ ok: true, detail: "xl migrate (root's ssh) reaches xen2 at XEN2 port 22, the address the checks use" });
    expect(judgeRoute({ ...xl({}, { proxy: null, hostname: 'xen2', port: null, addresses: null }), toolstack: 'xm' })).toEqual({ ok: true, detail: 'xm migrate (xend, by the system resolver) reaches xen2 at xen2, the address the checks use' });
  });

  it('different names sharing an address pass, IPv4-mapped and upper-case IPv6 counted as the same', () => {
    const table: [RouteAddresses, RouteAddresses, string][] = [
      [at('10.0.0.2'), at('10.0.0.2'), '10.0.0.2'],
      [at('fd00::2', '10.0.0.2'), at('10.0.0.9', '10.0.0.2'), '10.0.0.2'],
      [at('::ffff:10.0.0.2'), at('10.0.0.2'), '10.0.0.2'],
      [at('FD00::2'), at('fd00::2'), 'fd00::2'],
    ];
    for (const [mine, theirs, shared] of table) {
      const v = judgeRoute(xl({ address: '10.0.0.2', configured: true, addresses: mine }, { proxy: null, hostname: 'xen2-mig', port: 22, addresses: theirs }));
      expect(v, JSON.stringify([mine, theirs])).toEqual({ ok: true, detail: `xl migrate (root's ssh) reaches xen2 at xen2-mig port 22 (${shared}), where the checks reach it (10.0.0.2)` });
    }
  });

  it('no address in common: refused, naming both routes, where each is set and how to see it', () => {
    expect(judgeRoute(xl({ address: '10.0.0.2', port: 2222, configured: true, addresses: at('10.0.0.2') }, { proxy: null, hostname: 'xen3', port: 22, addresses: at('10.0.0.3') }))).toEqual({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail:
        "xl migrate (root's ssh) would take xen2 to another machine than the one checked: to xen3 port 22 (10.0.0.3), while the checks reached 10.0.0.2 port 2222 (migration.peers.xen2.address) (10.0.0.2); fix whichever is stale: the Host xen2 entry in root's ~/.ssh/config or /etc/ssh/ssh_config, /etc/hosts, DNS, or migration.peers.xen2.address in the agent's config; `ssh -G xen2 | grep -E '^(hostname|port|proxyjump|proxycommand) '` shows root's ssh route, `getent ahosts NAME` a name's addresses",
    });
  });

  it("a side whose name does not resolve is refused: nothing says where the domU would go", () => {
    expect(judgeRoute(xl({ address: 'xen2-mig', configured: true, addresses: none('xen2-mig') }, { proxy: null, hostname: 'xen2', port: 22, addresses: at('10.0.0.2') }))).toMatchObject({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: expect.stringMatching(/^the checks reach xen2 at xen2-mig port 22 \(migration\.peers\.xen2\.address\), and xen2-mig does not resolve \(ENOTFOUND\): fix the Host xen2 entry/),
    });
    expect(judgeRoute(xl({ addresses: at('10.0.0.2') }, { proxy: null, hostname: 'old-xen2', port: 22, addresses: none('old-xen2') }))).toMatchObject({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: expect.stringMatching(/^xl migrate \(root's ssh\) would take xen2 to old-xen2 port 22, and old-xen2 does not resolve \(ENOTFOUND\); the checks reach it at xen2 port 22 \(its name; no migration\.peers entry\): fix /),
    });
  });

  it("ssh -G failing (not installed, an ssh without -G, garbled output) is refused with the tool's own code", () => {
    const v = judgeRoute(xl({}, { problem: '`ssh -G xen2`: ssh -G -- xen2: exit code 255: unknown option -- G', code: 'XH_ERR_TOOL_FAILED' }));
    expect(v).toEqual({ ok: false, code: 'XH_ERR_TOOL_FAILED', detail: "cannot tell where xl migrate (root's ssh) would take xen2: `ssh -G xen2`: ssh -G -- xen2: exit code 255: unknown option -- G" });
  });

  it('an IdentityFile or CertificateFile ${VAR} the environment leaves unset: refused, naming the option and the fix, as ssh stops there once connected', () => {
    const cert = { option: 'CertificateFile', variable: 'XENHERD_TEST_UNSET_CERT', value: '${XENHERD_TEST_UNSET_CERT}/id_xen2-cert.pub' };
    const v = judgeRoute(xl({}, { proxy: null, hostname: 'xen2', port: 22, addresses: null, unsetOnceConnected: [cert] }));
    expect(v).toEqual({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail:
        "xl migrate (root's ssh) would not get past its connection to xen2: root's ssh_config gives xen2 CertificateFile ${XENHERD_TEST_UNSET_CERT}/id_xen2-cert.pub, which ssh expands only once connected, " +
        "and XENHERD_TEST_UNSET_CERT is not set in the environment `xl migrate`'s ssh gets from this process: ssh stops there after connecting (\"invalid environment variable expansion\") and the migration would fail; " +
        "fix: write that option without ${XENHERD_TEST_UNSET_CERT} in root's ssh_config (`~/` and `%d` name root's home without the environment), or set XENHERD_TEST_UNSET_CERT for the agent (systemd: Environment= in a drop-in for xenherd-agent.service)",
    });
    const home = { option: 'IdentityFile', variable: 'HOME', value: '${HOME}/.ssh/id_mig' };
    expect(judgeRoute(xl({}, { proxy: null, hostname: 'xen2', port: 22, addresses: null, unsetOnceConnected: [home, cert] }))).toMatchObject({
      ok: false,
      detail: expect.stringContaining('IdentityFile ${HOME}/.ssh/id_mig and CertificateFile ${XENHERD_TEST_UNSET_CERT}/id_xen2-cert.pub, which ssh expands only once connected, and HOME and XENHERD_TEST_UNSET_CERT are not set in the environment `xl migrate`\'s ssh gets from this process (systemd sets HOME for a service only when its unit sets User=)'),
    });
  });

  it('xm names /etc/hosts, DNS and the config as the fixes, and getent to see it', () => {
    const v = judgeRoute({ peer: 'xen2', toolstack: 'xm', checked: { address: '10.0.0.2', port: 22, configured: true, addresses: at('10.0.0.2') }, tool: { proxy: null, hostname: 'xen2', port: null, addresses: at('10.0.0.3') }, toolKey: null });
    expect(v).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining('to xen2 (10.0.0.3), while the checks reached 10.0.0.2 port 22 (migration.peers.xen2.address) (10.0.0.2); fix whichever is stale: /etc/hosts or DNS for xen2, or migration.peers.xen2.address in the agent\'s config; `getent ahosts xen2` shows what xend resolves') });
  });

  it('through a ProxyJump or ProxyCommand to another name: refused, naming the jump and both fixes, whatever the addresses here say', () => {
    const jump = { kind: 'proxyjump', value: 'admin@jump1:2200' } as const;
    // 10.0.0.2 here and (as read here) there: but the jump host resolves xen2-mig, maybe elsewhere
    const v = judgeRoute(xl({ address: '10.0.0.2', configured: true, addresses: at('10.0.0.2') }, { proxy: jump, hostname: 'xen2-mig', port: 22, addresses: at('10.0.0.2') }));
    expect(v).toEqual({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail:
        "xl migrate (root's ssh) would reach xen2 through the jump host admin@jump1:2200 (ProxyJump), which resolves xen2-mig port 22 itself: nothing here can say which machine that is, and the checks reach it at 10.0.0.2 port 22 (migration.peers.xen2.address); fix: set migration.peers.xen2.address to \"xen2-mig\" (the hostname root's ssh uses), or drop the jump for Dom0-to-Dom0 moves (the Host xen2 entry in root's ~/.ssh/config or /etc/ssh/ssh_config); `ssh -G xen2 | grep -E '^(hostname|port|proxyjump|proxycommand) '` shows root's ssh route, `getent ahosts NAME` a name's addresses",
    });
    // nothing resolved here (readRoute does not ask): refused the same, not taken for a bug
    const command = { kind: 'proxycommand', value: 'ssh -W %h:%p bastion' } as const;
    expect(judgeRoute(xl({}, { proxy: command, hostname: '10.0.0.2', port: 22, addresses: null }))).toMatchObject({
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: expect.stringMatching(/^xl migrate \(root's ssh\) would reach xen2 through ProxyCommand `ssh -W %h:%p bastion`, which resolves 10\.0\.0\.2 port 22 itself: .* set migration\.peers\.xen2\.address to "10\.0\.0\.2" /),
    });
  });

  it('through a jump to the very name the checks use: passes, saying the route goes through the jump (it resolves the name, and the memory passes it)', () => {
    const v = judgeRoute(xl({ address: 'xen2-mig', configured: true }, { proxy: { kind: 'proxyjump', value: 'jump1' }, hostname: 'xen2-mig', port: 22, addresses: null }));
    expect(v).toEqual({ ok: true, detail: "xl migrate (root's ssh) reaches xen2 at xen2-mig port 22, the name the checks use, but through the jump host jump1 (ProxyJump): that end resolves the name itself, and the domU's memory passes through it" });
    const command = judgeRoute(xl({}, { proxy: { kind: 'proxycommand', value: 'nc %h %p' }, hostname: 'xen2', port: 22, addresses: null }));
    expect(command).toEqual({ ok: true, detail: "xl migrate (root's ssh) reaches xen2 at xen2 port 22, the name the checks use, but through ProxyCommand `nc %h %p`: that end resolves the name itself, and the domU's memory passes through it" });
  });

  it('addresses left unread for names that differ is a bug, not a pass', () => {
    expect(judgeRoute(xl({}, { proxy: null, hostname: 'xen3', port: 22, addresses: null }))).toMatchObject({ ok: false, code: 'XH_ERR_INTERNAL' });
  });

  describe("root's ssh at another port than the checks': another sshd, passed only when it shows the peer's host key", () => {
    const mine = { listed: true, fingerprint: 'ssh-ed25519 SHA256:abc' } as const;
    const other = { listed: false, fingerprint: 'ssh-ed25519 SHA256:xyz' } as const;
    const samePlace = (toolKey: RouteFacts['toolKey']): RouteFacts => ({ ...xl({ address: '10.0.0.2', configured: true }, { proxy: null, hostname: '10.0.0.2', port: 2222, addresses: null }), toolKey });

    it('the same address at port 2222 while the checks use 22, another key there: refused, naming both ports and where each is set', () => {
      expect(judgeRoute(samePlace(other))).toEqual({
        ok: false,
        code: 'XH_ERR_REFUSED',
        detail:
          "xl migrate (root's ssh) would take xen2 to 10.0.0.2 port 2222, another sshd than the one checked at 10.0.0.2 port 22 (migration.peers.xen2.address); it shows host key ssh-ed25519 SHA256:xyz, which known_hosts does not list for xen2 as ssh takes a key at port 2222: under [xen2]:2222 or [10.0.0.2]:2222, or bare while no line lists one so: a port forward there may lead to another machine; fix whichever is stale: the Port of the Host xen2 entry in root's ~/.ssh/config or /etc/ssh/ssh_config, or migration.peers.xen2.port in the agent's config; `ssh -G xen2 | grep -E '^(hostname|port|proxyjump|proxycommand) '` shows root's ssh route, `getent ahosts NAME` a name's addresses",
      });
      expect(judgeRoute(samePlace({ unseen: '10.0.0.2 port 2222: connect ECONNREFUSED 10.0.0.2:2222' }))).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining('at 10.0.0.2 port 22 (migration.peers.xen2.address); no host key read there: 10.0.0.2 port 2222: connect ECONNREFUSED') });
    });

    it("the peer's own key at the other port: the same Dom0's sshd, passed and said so", () => {
      expect(judgeRoute(samePlace(mine))).toEqual({ ok: true, detail: "xl migrate (root's ssh) reaches xen2 at 10.0.0.2 port 2222, where the checks reach it at port 22, and the sshd there shows xen2's host key (ssh-ed25519 SHA256:abc): the same Dom0 at another port" });
    });

    it('an address in common at another port is judged the same way; the key left unread is a bug, not a pass', () => {
      const f = (toolKey: RouteFacts['toolKey']): RouteFacts => ({ ...xl({ address: '10.0.0.2', configured: true, addresses: at('10.0.0.2') }, { proxy: null, hostname: 'xen2-mig', port: 2222, addresses: at('10.0.0.2') }), toolKey });
      expect(judgeRoute(f(other))).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringMatching(/^xl migrate \(root's ssh\) would take xen2 to xen2-mig port 2222 \(10\.0\.0\.2\), another sshd than the one checked at 10\.0\.0\.2 port 22 /) });
      expect(judgeRoute(f(mine))).toMatchObject({ ok: true, detail: expect.stringContaining('reaches xen2 at xen2-mig port 2222 (10.0.0.2), where the checks reach it at port 22, and the sshd there shows') });
      expect(judgeRoute(f(null))).toMatchObject({ ok: false, code: 'XH_ERR_INTERNAL' });
      expect(judgeRoute(samePlace(null))).toMatchObject({ ok: false, code: 'XH_ERR_INTERNAL' });
    });

    it('through a jump host to the name the checks use at another port: refused, as nothing here reads what the jump host reaches', () => {
      const v = judgeRoute(xl({ address: 'xen2-mig', configured: true }, { proxy: { kind: 'proxyjump', value: 'jump1' }, hostname: 'xen2-mig', port: 2222, addresses: null }));
      expect(v).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringMatching(/^xl migrate \(root's ssh\) would reach xen2 through the jump host jump1 \(ProxyJump\) at xen2-mig port 2222, another port than the checks' xen2-mig port 22 \(migration\.peers\.xen2\.address\): nothing here can read which sshd the jump host reaches there; fix: the Port of the Host xen2 entry/) });
    });

    it('xm has no ssh port to compare (xend listens on its own)', () => {
      const v = judgeRoute({ ...xl({ port: 2222 }, { proxy: null, hostname: 'xen2', port: null, addresses: null }), toolstack: 'xm' });
      expect(v).toMatchObject({ ok: true });
    });
  });

  describe("a name root's ssh canonicalized (CanonicalizeHostname): judged by the addresses ssh looks up for it, even when the checks use the same name", () => {
    const canonical = (addresses: RouteAddresses, toolKey: RouteFacts['toolKey'] = null): RouteFacts => ({
      ...xl({ address: 'xen2.example.org', configured: true, addresses: at('10.9.0.2') }, { proxy: null, hostname: 'xen2.example.org', port: 22, canonicalizedFrom: 'xen2', addresses }),
      toolKey,
    });

    it('DNS giving another address than the checks found (/etc/hosts): refused, saying the name was canonicalized and looked up in DNS', () => {
      expect(judgeRoute(canonical(at('192.0.2.3'), { listed: false, fingerprint: 'ssh-ed25519 SHA256:xyz' }))).toMatchObject({
        ok: false,
        code: 'XH_ERR_REFUSED',
        detail: expect.stringMatching(/^xl migrate \(root's ssh\) would take xen2 to another machine than the one checked: to xen2\.example\.org port 22 \(canonicalized from xen2: looked up in DNS as xen2\.example\.org\.\) \(192\.0\.2\.3; it shows host key .*`ssh -v -G xen2 2>&1 \| grep Canonicalized` shows root's ssh canonicalizing the name \(CanonicalizeHostname, CanonicalDomains\)$/),
      });
    });

    it('the same address: passed, naming it', () => {
      expect(judgeRoute(canonical(at('10.9.0.2')))).toEqual({ ok: true, detail: "xl migrate (root's ssh) reaches xen2 at xen2.example.org port 22 (canonicalized from xen2: looked up in DNS as xen2.example.org.) (10.9.0.2), where the checks reach it (xen2.example.org)" });
    });

    it('through a jump host the name is the jump host\'s to resolve: judged by name as before', () => {
      const f = canonical(at('192.0.2.3'));
      expect(judgeRoute({ ...f, tool: { proxy: { kind: 'proxyjump', value: 'jump1' }, hostname: 'xen2.example.org', port: 22, canonicalizedFrom: 'xen2', addresses: null } })).toMatchObject({ ok: true, detail: expect.stringContaining('the name the checks use, but through the jump host jump1') });
    });
  });

  describe('no address in common, judged by the host key the machine at the toolstack\'s route shows', () => {
    // agent.json reaches xen2 over the migration LAN, root's ssh by its public name
    const lan = (toolKey: RouteFacts['toolKey']): RouteFacts => ({
      ...xl({ address: '10.9.0.2', configured: true, addresses: at('10.9.0.2') }, { proxy: null, hostname: 'xen2.example.org', port: 22, addresses: at('192.0.2.2') }),
      toolKey,
    });

    it("xen2's own key (known_hosts lists it for xen2): the same Dom0 over another network, passed", () => {
      expect(judgeRoute(lan({ listed: true, fingerprint: 'ssh-ed25519 SHA256:abc' }))).toEqual({
        ok: true,
        detail: "xl migrate (root's ssh) reaches xen2 at xen2.example.org port 22 (192.0.2.2), not the address the checks use (10.9.0.2), and the machine there shows xen2's host key (ssh-ed25519 SHA256:abc): the same Dom0 over another network",
      });
    });

    it('a key known_hosts does not list for xen2, or none seen: refused, saying which', () => {
      const other = judgeRoute(lan({ listed: false, fingerprint: 'ssh-ed25519 SHA256:xyz' }));
      expect(other).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining('to xen2.example.org port 22 (192.0.2.2; it shows host key ssh-ed25519 SHA256:xyz, which known_hosts does not list for xen2), while the checks reached 10.9.0.2 port 22') });
      const unseen = judgeRoute(lan({ unseen: 'xen2.example.org port 22: connect ECONNREFUSED 192.0.2.2:22' }));
      expect(unseen).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining('(192.0.2.2; no host key read there: xen2.example.org port 22: connect ECONNREFUSED 192.0.2.2:22)') });
    });

    it('a shared address passes whatever key was read (the addresses already say one machine)', () => {
      const f: RouteFacts = { ...lan({ listed: false, fingerprint: 'ssh-ed25519 SHA256:xyz' }), tool: { proxy: null, hostname: 'xen2.example.org', port: 22, addresses: at('10.9.0.2') } };
      expect(judgeRoute(f)).toMatchObject({ ok: true });
    });
  });
});
