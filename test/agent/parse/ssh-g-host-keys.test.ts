import { describe, expect, it } from 'vitest';
import { parseSshGHostKeys } from '../../../agent/parse/ssh-g-host-keys.js';
import { readFixture } from '../../fixture.js';

// OpenSSH 9.2's whole `ssh -G xen2` under a Host entry with HostName and Port, as captured.
const REAL = readFixture('ssh/G-9.2p1-host-entry.txt').body;
const base = 'host xen2\nhostname xen2\nport 22\nstricthostkeychecking true\nglobalknownhostsfile /etc/ssh/ssh_known_hosts\nuserknownhostsfile /root/.ssh/known_hosts\n';

describe('ssh -G: how ssh checks the host key', () => {
  it('reads the real dump: ask, root\'s two user files and the two global ones, no alias', () => {
    expect(parseSshGHostKeys(REAL)).toEqual({
      ok: true,
      value: { host: 'xen2', hostKeyAlias: null, strict: 'ask', userFiles: ['/root/.ssh/known_hosts', '/root/.ssh/known_hosts2'], globalFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'], knownHostsCommand: null },
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
    expect(parseSshGHostKeys(`${base}stricthostkeychecking false\n`)).toMatchObject({ ok: false, error: { line: 7, expected: expect.stringContaining('"stricthostkeychecking" repeats with another value') } });
    // a path with a space: printed unquoted, so two pieces; refused rather than read as two files
    expect(parseSshGHostKeys(base.replace('/root/.ssh/known_hosts', '/root/my hosts'))).toMatchObject({ ok: false, error: { line: 6, expected: expect.stringContaining('absolute paths without spaces') } });
    expect(parseSshGHostKeys(base.replace('userknownhostsfile /root/.ssh/known_hosts\n', ''))).toMatchObject({ ok: false, error: { line: 0, expected: 'a "userknownhostsfile" line beside "stricthostkeychecking"' } });
    expect(parseSshGHostKeys(`${base}hostkeyalias \n`)).toMatchObject({ ok: false, error: { line: 7, expected: 'hostkeyalias VALUE' } });
    expect(parseSshGHostKeys(base.replace('host xen2', 'host xen2 xen3'))).toMatchObject({ ok: false, error: { line: 1, expected: 'host NAME' } });
  });
});
