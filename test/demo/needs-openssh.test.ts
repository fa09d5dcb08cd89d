import { describe, expect, it } from 'vitest';
import { missingSshTools, needsOpenSshMessage } from './needs-openssh.js';
import { demoCli } from './demo-cli.js';

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

describe('npm run demo on a machine without OpenSSH', () => {
  const machine = (missing: readonly string[]) => {
    const started: string[] = [];
    const err: string[] = [];
    const deps = {
      missingSsh: () => missing,
      agentStory: async () => (started.push('agent'), 0),
      fleetStory: async () => (started.push('fleet'), 0),
      stderr: (t: string) => void err.push(t),
    };
    return { deps, started, err };
  };

  it.each([[[]], [['--agent-only']]])('starts no story, exits 69 and names what to install (args %j)', async (args) => {
    const m = machine(['/usr/sbin/sshd']);
    expect(await demoCli(args, m.deps)).toBe(69);
    expect(m.started).toEqual([]);
    expect(m.err.join('')).toBe(needsOpenSshMessage(['/usr/sbin/sshd']));
  });

  it('with OpenSSH, runs the story asked for', async () => {
    const m = machine([]);
    expect(await demoCli(['--agent-only'], m.deps)).toBe(0);
    expect(await demoCli([], m.deps)).toBe(0);
    expect(m.started).toEqual(['agent', 'fleet']);
  });
});
