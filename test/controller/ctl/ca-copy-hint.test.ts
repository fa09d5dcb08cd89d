import { describe, expect, it } from 'vitest';
import { caCopyHint } from '../../../controller/ctl/ca-copy-hint.js';

describe("a CA file the operator may not read (the controller's root-only /etc/xenherd/tls)", () => {
  it('says it is no secret and how to make a readable copy, naming the setting to point at it', () => {
    expect(caCopyHint('EACCES', '/etc/xenherd/tls/ca.crt', 'XENHERD_CA')).toBe(
      '; it is a certificate, not a secret: as root, copy it where you can read it (`install -m 644 /etc/xenherd/tls/ca.crt /usr/local/share/xenherd-ca.crt`) and set XENHERD_CA to the copy',
    );
    expect(caCopyHint('EACCES', '/etc/xenherd/tls/ca.crt', '/home/alice/.config/xenherd/ctl.json: key "ca"')).toMatch(/and set "ca" in ctl\.json to the copy$/);
  });

  it('adds nothing to other failures: their own message is the fix', () => {
    for (const errno of ['ENOENT', 'ENOTDIR', 'ENOTREG', 'ELOOP', 'EFBIG']) expect(caCopyHint(errno, '/x/ca.crt', 'XENHERD_CA')).toBe('');
  });
});
