import { describe, expect, it } from 'vitest';
import { judgeRevokedFile } from '../../../agent/decide/revoked-host-keys.js';

// RevokedHostKeys as OpenSSH 9.2 applies it, tried against an sshd: the key listed → "Host key
// … revoked by file"; the file missing → "Error checking host key … No such file or directory";
// a line that is no key → "… invalid format"; other keys, comments and blank lines → taken.
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIItAA7O3Z2VJBGSE47Eiv4KgLcLy1N5jJgYUKx0D96cG';
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIP7H8ZbH6xY7KUa6iCnxqgVxvbuVeGQo4PnJUDE3BBIH';
const shown = [Buffer.from(KEY, 'base64')];
const FILE = '/etc/ssh/revoked_host_keys';

describe('RevokedHostKeys', () => {
  it('none set: nothing to say', () => {
    expect(judgeRevokedFile(null, 'xen2', shown)).toEqual({ revoked: false, note: '' });
  });

  it('the key xen2 shows listed: refused, naming the line; other keys, comments and blank lines revoke nothing', () => {
    expect(judgeRevokedFile({ file: FILE, text: `# old\n\n  ssh-ed25519 ${OTHER} sold\nssh-ed25519 ${KEY} xen2 before\n` }, 'xen2', shown)).toEqual({
      revoked: true,
      detail: `the key xen2 shows is listed in RevokedHostKeys ${FILE} line 4: ssh refuses it ("revoked by file"); if xen2 was re-keyed, list its new key in the agent's known_hosts and root's`,
    });
    expect(judgeRevokedFile({ file: FILE, text: `ssh-ed25519 ${OTHER}\n` }, 'xen2', shown)).toEqual({ revoked: false, note: '' });
    expect(judgeRevokedFile({ file: FILE, text: '' }, 'xen2', shown)).toEqual({ revoked: false, note: '' });
  });

  it('with no key to compare (the agent lists none for xen2): said, not judged', () => {
    expect(judgeRevokedFile({ file: FILE, text: `ssh-ed25519 ${OTHER}\n` }, 'xen2', [])).toEqual({ revoked: false, note: `; RevokedHostKeys ${FILE} not compared (no key to compare)` });
  });

  it('a file ssh cannot read, or a line that is no key, makes ssh refuse every key: refused, saying so', () => {
    expect(judgeRevokedFile({ file: FILE, missing: true }, 'xen2', shown)).toMatchObject({ revoked: true, detail: expect.stringContaining(`RevokedHostKeys ${FILE} does not exist, and ssh refuses every host key while it cannot read it`) });
    expect(judgeRevokedFile({ file: FILE, problem: 'EACCES' }, 'xen2', shown)).toMatchObject({ revoked: true, detail: expect.stringContaining(`RevokedHostKeys ${FILE} cannot be read (EACCES)`) });
    expect(judgeRevokedFile({ file: FILE, text: `ssh-ed25519 ${OTHER}\nnot a key\n` }, 'xen2', shown)).toMatchObject({ revoked: true, detail: expect.stringContaining(`RevokedHostKeys ${FILE} line 2 is not a public key`) });
    expect(judgeRevokedFile({ file: FILE, text: `ssh-rsa ${OTHER}\n` }, 'xen2', shown)).toMatchObject({ revoked: true, detail: expect.stringContaining('line 1 is not a public key') });
    // cut short right after its type name: no key, as ssh's "invalid format" says
    expect(judgeRevokedFile({ file: FILE, text: `ssh-ed25519 ${OTHER.slice(0, 20)}\n` }, 'xen2', shown)).toMatchObject({ revoked: true, detail: expect.stringContaining('line 1 is not a public key') });
  });

  it('a KRL: refused to judge, with the command that tells', () => {
    const krl = `SSHKRL\n\0${'\u0001'.repeat(8)}`;
    expect(judgeRevokedFile({ file: FILE, text: krl }, 'xen2', shown)).toEqual({
      revoked: true,
      detail: `RevokedHostKeys ${FILE} is a KRL, which the preflight does not read, so whether it revokes xen2's key is not judged here: \`ssh-keygen -Q -f ${FILE} KEY.pub\` with xen2's /etc/ssh/ssh_host_*_key.pub tells; list revoked keys as a plain file of public keys to have them checked`,
    });
  });

  it('a path that is not absolute, or one with a token OpenSSH 9.2 does not expand: refused, naming what ssh takes as it stands', () => {
    expect(judgeRevokedFile({ file: '~/.ssh/revoked', relative: true }, 'xen2', shown)).toMatchObject({
      revoked: true,
      detail: expect.stringContaining('RevokedHostKeys ~/.ssh/revoked is not a whole path (OpenSSH 9.2 expands nothing in RevokedHostKeys and opens it as written: ~ taken as it stands; 9.4 and later expand them): ssh opens it from whatever directory it runs in'),
    });
    expect(judgeRevokedFile({ file: '/etc/ssh/revoked_%h_${D}', missing: true }, 'xen2', shown)).toMatchObject({
      revoked: true,
      detail: expect.stringContaining('RevokedHostKeys /etc/ssh/revoked_%h_${D} does not exist (OpenSSH 9.2 expands nothing in RevokedHostKeys and opens it as written: %h, ${D} taken as they stand'),
    });
    expect(judgeRevokedFile({ file: '/etc/ssh/revoked_%h', text: `ssh-ed25519 ${KEY}\n` }, 'xen2', shown)).toMatchObject({ revoked: true, detail: expect.stringContaining('listed in RevokedHostKeys /etc/ssh/revoked_%h line 1') });
  });
});
