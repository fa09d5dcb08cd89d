import { describe, expect, it } from 'vitest';
import { missingSshTools, needsOpenSshMessage } from './needs-openssh.js';

describe('the demo without OpenSSH', () => {
  it('names each missing program', () => {
    expect(missingSshTools(() => true)).toEqual([]);
    expect(missingSshTools((p) => p !== '/usr/sbin/sshd')).toEqual(['/usr/sbin/sshd']);
    expect(missingSshTools(() => false)).toEqual(['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen']);
  });

  it('says what to install, with the code of a missing tool', () => {
    const m = needsOpenSshMessage(['/usr/sbin/sshd', '/usr/bin/ssh']);
    expect(m).toBe(
      'demo: XH_ERR_TOOL_NOT_FOUND: /usr/sbin/sshd, /usr/bin/ssh not installed. Every migration in the demo goes through OpenSSH ' +
        '(the demo starts its own sshd on 127.0.0.1; the system service need not run): apt-get install -y openssh-server openssh-client, then npm run demo again\n',
    );
  });
});
