import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spawnFailureLine } from '../../../controller/ctl/spawn-failure.js';

// What Node reports for a program that is not there, taken from a real spawn, not written by hand.
const spawnError = (cmd: string): Promise<NodeJS.ErrnoException> =>
  new Promise((resolve) => {
    const child = spawn(cmd, [], { stdio: 'ignore', env: { PATH: '/nonexistent' } });
    child.on('error', resolve);
  });

describe('a program xenherdctl could not start', () => {
  it('ssh missing names the package that brings it', async () => {
    const e = await spawnError('ssh');
    expect(e.code).toBe('ENOENT');
    expect(spawnFailureLine('ssh', e)).toBe('xenherdctl: cannot run ssh: no such program on PATH: install openssh-client (apt install openssh-client)');
  });

  it('another missing program says to install it or give its path', async () => {
    const e = await spawnError('xh-reboot-hook');
    expect(spawnFailureLine('xh-reboot-hook', e)).toBe('xenherdctl: cannot run xh-reboot-hook: no such program on PATH: install it, or give its full path');
  });

  it('any other failure is said as Node says it', () => {
    expect(spawnFailureLine('ssh', { code: 'EACCES', message: 'spawn ssh EACCES' })).toBe('xenherdctl: cannot run ssh: spawn ssh EACCES');
  });
});
