import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFleet } from './model/fleet-file.js';
import { playgroundHint } from './playground-hint.js';

// The playground's closing hint is the first command a newcomer types on a fleet of their own:
// it must name that fleet's domUs and Dom0s, not the example fleet's.
const own = [
  'host dom0-a mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes',
  'host dom0-b mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes',
  'domu mail mem=2048 vcpus=2 home=dom0-b peer=dom0-a drbd=m1 running=dom0-a',
  'domu shop mem=2048 vcpus=2 home=dom0-a peer=dom0-b drbd=s1 running=dom0-a',
  'domu zeta mem=1024 vcpus=1 home=dom0-b peer=dom0-a drbd=z1 running=no',
].join('\n');

describe('the playground hint', () => {
  it('names a domU of the fleet it runs that is at home, and its peer, for migrate and reverse', () => {
    // mail runs away from its home: `reverse mail` after `migrate mail dom0-b` would be a different story
    expect(playgroundHint(parseFleet(own), true)).toBe('Then e.g. `xenherdctl where shop`, `xenherdctl hosts`, `xenherdctl status`, `xenherdctl migrate shop dom0-b`, `xenherdctl reverse shop`.');
  });

  it('leaves migrate and reverse out without OpenSSH, and falls back to a glob when nothing runs', () => {
    expect(playgroundHint(parseFleet(own), false)).toBe('Then e.g. `xenherdctl where shop`, `xenherdctl hosts`, `xenherdctl status`.');
    const idle = own.split('\n').map((l) => l.replace(/running=\S+/, 'running=no')).join('\n');
    expect(playgroundHint(parseFleet(idle), true)).toBe("Then e.g. `xenherdctl where '*'`, `xenherdctl hosts`, `xenherdctl status`.");
  });

  it('names the first such domU by name on the example fleet README uses', () => {
    expect(playgroundHint(parseFleet(readFileSync('test/sim/example.fleet', 'utf8')), true)).toContain('`xenherdctl migrate db1 xen1`, `xenherdctl reverse db1`');
  });
});
