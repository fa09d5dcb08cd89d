import { describe, expect, it } from 'vitest';
import { parseSshGHostKeys } from '../../../agent/parse/ssh-g-host-keys.js';
import { readFixture } from '../../fixture.js';

// OpenSSH 9.2's whole `ssh -G xen2` under a Host entry with HostName and Port, as captured.
const REAL = readFixture('ssh/G-9.2p1-host-entry.txt').body;
const base = 'host xen2\nhostname xen2\nport 22\nstricthostkeychecking true\nglobalknownhostsfile /etc/ssh/ssh_known_hosts\nuserknownhostsfile /root/.ssh/known_hosts\ncheckhostip no\nverifyhostkeydns false\n';

describe('ssh -G: how ssh checks the host key', () => {
  it('reads the real dump: ask, root\'s two user files and the two global ones, no alias', () => {
    expect(parseSshGHostKeys(REAL)).toEqual({
      ok: true,
      value: {
        host: 'xen2',
        hostKeyAlias: null,
        strict: 'ask',
        userFiles: ['/root/.ssh/known_hosts', '/root/.ssh/known_hosts2'],
        globalFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
        knownHostsCommand: null,
        checkHostIp: false,
        verifyHostKeyDns: 'no',
        revokedHostKeys: null,
      },
    });
    expect(parseSshGHostKeys(REAL.replace(/\n/g, '\r\n'))).toMatchObject({ ok: true, value: { strict: 'ask' } });
  });

  it("reads StrictHostKeyChecking in -G's words (true, false) and ssh_config's, HostKeyAlias, KnownHostsCommand, none", () => {
    const with_ = (extra: string): string => `${base}${extra}`;
    expect(parseSshGHostKeys(base.replace('true', 'false'))).toMatchObject({ ok: true, value: { strict: 'no' } });
    expect(parseSshGHostKeys(base.replace('true', 'accept-new'))).toMatchObject({ ok: true, value: { strict: 'accept-new' } });
    expect(parseSshGHostKeys(base)).toMatchObject({ ok: true, value: { strict: 'yes' } });
    expect(parseSshGHostKeys(with_('hostkeyalias xen2-mig\nknownhostscommand /usr/local/bin/keys %H\n'))).toMatchObject({ ok: true, value: { hostKeyAlias: 'xen2-mig', knownHostsCommand: '/usr/local/bin/keys %H' } });
    expect(parseSshGHostKeys(base.replace('userknownhostsfile /root/.ssh/known_hosts', 'userknownhostsfile none'))).toMatchObject({ ok: true, value: { userFiles: [] } });
  });

  it('a dump without host-key lines (the simulator\'s) says nothing: null', () => {
    expect(parseSshGHostKeys('host xen2\nuser root\nhostname xen2\nport 22\n')).toEqual({ ok: true, value: null });
  });

  it('refuses what ssh never prints, naming the line', () => {
    expect(parseSshGHostKeys(base.replace('true', 'maybe'))).toMatchObject({ ok: false, error: { line: 4, expected: 'stricthostkeychecking true, false, ask or accept-new' } });
    expect(parseSshGHostKeys(`${base}stricthostkeychecking false\n`)).toMatchObject({ ok: false, error: { line: 9, expected: expect.stringContaining('"stricthostkeychecking" repeats with another value') } });
    // a relative path: ssh opens it from wherever it runs, and it cannot be told from a space's piece
    expect(parseSshGHostKeys(base.replace('/root/.ssh/known_hosts', 'known_hosts /root/k2'))).toMatchObject({ ok: false, error: { line: 6, expected: expect.stringContaining('with absolute paths, or none') } });
    expect(parseSshGHostKeys(base.replace('checkhostip no', 'checkhostip maybe'))).toMatchObject({ ok: false, error: { line: 7, expected: 'checkhostip yes or no' } });
    expect(parseSshGHostKeys(`${base}addressfamily inet4\n`)).toMatchObject({ ok: false, error: { line: 9, expected: 'addressfamily any, inet or inet6' } });
    expect(parseSshGHostKeys(`${base}addressfamily inet6\n`)).toMatchObject({ ok: true, value: { addressFamily: 'inet6' } });
    expect(parseSshGHostKeys(`${base}addressfamily any\n`)).toMatchObject({ ok: true, value: expect.not.objectContaining({ addressFamily: expect.anything() }) });
    expect(parseSshGHostKeys(base.replace('verifyhostkeydns false\n', ''))).toMatchObject({ ok: false, error: { line: 0, expected: 'a "verifyhostkeydns" line beside "stricthostkeychecking"' } });
    expect(parseSshGHostKeys(base.replace('userknownhostsfile /root/.ssh/known_hosts\n', ''))).toMatchObject({ ok: false, error: { line: 0, expected: 'a "userknownhostsfile" line beside "stricthostkeychecking"' } });
    expect(parseSshGHostKeys(`${base}hostkeyalias \n`)).toMatchObject({ ok: false, error: { line: 9, expected: 'hostkeyalias VALUE' } });
    expect(parseSshGHostKeys(base.replace('host xen2', 'host xen2 xen3'))).toMatchObject({ ok: false, error: { line: 1, expected: 'host NAME' } });
  });

  it('every host-key option set, as OpenSSH 9.2 prints them (captured): yes words as true, the user file expanded, RevokedHostKeys as given', () => {
    expect(parseSshGHostKeys(readFixture('ssh/G-9.2p1-host-key-options.txt').body)).toEqual({
      ok: true,
      value: {
        host: 'xen2',
        hostKeyAlias: 'xen2-mig',
        strict: 'yes',
        userFiles: ['/root/.ssh/known_hosts_xen2-mig'],
        globalFiles: ['/etc/ssh/ssh_known_hosts'],
        knownHostsCommand: '/usr/local/bin/known-hosts %H',
        checkHostIp: true,
        verifyHostKeyDns: 'yes',
        revokedHostKeys: '/etc/ssh/revoked_host_keys',
      },
    });
  });

  it('a path holding a space, printed unquoted as ssh prints it (captured below), read whole: cut only where a space starts another absolute path', () => {
    // `ssh -F cfg -G xen2` (OpenSSH 9.2p1 Debian 12) with `UserKnownHostsFile "/root/my hosts" ~/.ssh/kh2` and
    // `GlobalKnownHostsFile /etc/ssh/a\ b` printed these two lines verbatim:
    const printed = 'userknownhostsfile /root/my hosts /root/.ssh/kh2\nglobalknownhostsfile /etc/ssh/a b\n';
    const dump = base.replace(/^(user|global)knownhostsfile .*\n/gm, '') + printed;
    expect(parseSshGHostKeys(dump)).toMatchObject({ ok: true, value: { userFiles: ['/root/my hosts', '/root/.ssh/kh2'], globalFiles: ['/etc/ssh/a b'] } });
  });

  it('GlobalKnownHostsFile as OpenSSH 9.2 prints it, before its ~ is expanded (captured below): a ~ path read, cut where a space starts one', () => {
    // `ssh -F cfg -G xen2` (OpenSSH 9.2p1 Debian 12) with `GlobalKnownHostsFile ~/.ssh/g_%h "/etc/a b"`
    // printed this line verbatim: no ~ or % token expanded in it
    const dump = base.replace(/^globalknownhostsfile .*\n/m, '') + 'globalknownhostsfile ~/.ssh/g_%h /etc/a b ~xen/kh\n';
    expect(parseSshGHostKeys(dump)).toMatchObject({ ok: true, value: { globalFiles: ['~/.ssh/g_%h', '/etc/a b', '~xen/kh'] } });
    // UserKnownHostsFile is printed expanded: a ~ left there is not ssh's
    expect(parseSshGHostKeys(base.replace('userknownhostsfile /root/.ssh/known_hosts', 'userknownhostsfile ~/kh'))).toMatchObject({ ok: false, error: { line: 6, expected: expect.stringContaining('userknownhostsfile with absolute paths, or none') } });
  });
});
