import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CtlHooks } from '../controller/ctl/context.js';
import { ctlProgram } from '../controller/ctl/program.js';
import { ProgressView } from '../controller/ctl/progress-view.js';
import { parseControlLine } from './sim/control/command.js';

// A newcomer reads the README top down and runs the first commands it shows: what they need must
// come before those commands, and the opening must not sell what is not built.
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const lines = README.split('\n');

describe('README', () => {
  it('keeps the two quick-start commands, each a line of its own', () => {
    expect(lines).toContain('npm ci && npm run demo');
    expect(lines).toContain('npm ci && npm test');
  });

  it('names every prerequisite of the tests before the first quick-start command', () => {
    const before = lines.slice(0, lines.indexOf('npm ci && npm run demo')).join('\n');
    for (const need of [/Node 18/, /openssh-server/, /openssh-client/, /python3/]) expect(before).toMatch(need);
  });

  it('says, before the quick start, that installing openssh-server starts the system sshd, and how to stop it', () => {
    // Debian's postinst starts and enables sshd on port 22, which nothing here needs: the tests
    // and the demo start their own on 127.0.0.1 (.ci/run keeps it from starting at all)
    const before = lines.slice(0, lines.indexOf('npm ci && npm run demo')).join('\n').replace(/\s+/g, ' ');
    expect(before).toMatch(/starts and enables the system's sshd on port 22/);
    expect(before).toContain('systemctl disable --now ssh');
  });

  it('says where the .debs come from before the install steps apt-install them from the current directory', () => {
    // `npm run package` writes them to dist/; in the checkout's root the glob matches nothing and
    // apt says only 'Unsupported file ./xenherd-controller_0.1.0+*_all.deb given on commandline'
    const built = lines.findIndex((l) => l.startsWith('npm run package   #'));
    const installed = lines.findIndex((l) => l.startsWith('apt install ./xenherd-controller_'));
    expect(built).toBeGreaterThan(0);
    expect(installed).toBeGreaterThan(built);
    const between = lines.slice(built, installed).join('\n').replace(/\s+/g, ' ');
    expect(between).toContain('`cd dist`');
    expect(between).toContain('Unsupported file');
  });

  it('installs each package by its exact file name, never a glob an older copy beside it also matches', () => {
    // with two builds in the directory, apt took one of the files `./xenherd-agent_*_all.deb` matched, without a word
    const installs = lines.filter((l) => l.startsWith('apt install ./'));
    expect(installs.length).toBe(2);
    for (const l of installs) expect(l).toMatch(/^apt install \.\/xenherd-(agent|controller)_\d+\.\d+\.\d+\+\d{8}\.\d{6}_all\.deb {3}# the name npm run package printed$/);
  });

  it('sells only commands that exist: every xenherdctl command the opening names is one', () => {
    const opening = README.slice(0, README.indexOf('\n## '));
    const bullet = opening.split('\n- ').find((p) => p.startsWith('**`xenherdctl`**')) ?? '';
    const named = [...bullet.matchAll(/`([a-z]+)`/g)].map((m) => m[1] as string).filter((n) => n !== 'xenherdctl');
    expect(named.length).toBeGreaterThan(5);
    const commands = ctlProgram({} as CtlHooks).commands.map((c) => c.name);
    expect(named.filter((n) => !commands.includes(n))).toEqual([]);
  });

  it("tells how a roll goes on in the playground, in the roll's and the playground console's own words", () => {
    // it said roll needs real Dom0s: a newcomer's `xenherdctl roll xen1` drained xen1 and waited
    // for a reboot nothing would do, while powering the simulated Dom0 off and on is that reboot
    const flat = README.replace(/\s+/g, ' ');
    const said = /when the roll prints `([^`]+)`, type `([^`]+)` and then `([^`]+)` in the playground's terminal/.exec(flat);
    expect(said).not.toBeNull();
    let out = '';
    new ProgressView({ stdout: (t: string) => void (out += t), stderr: () => undefined, env: {} }, false, () => 0).event({ type: 'reboot', hosts: ['xen1'] });
    expect(out.replace(/^\d\d:\d\d:\d\d /, '')).toMatch(new RegExp(`^${said?.[1] ?? '-'} `));
    const names = { hosts: ['xen1', 'xen2'], resources: ['r1'], domus: ['web1'], tools: ['xl'] };
    expect([said?.[2] ?? '', said?.[3] ?? ''].map((typed) => parseControlLine(typed, names))).toMatchObject([
      { ok: true, command: { kind: 'power', host: 'xen1', state: 'off' } },
      { ok: true, command: { kind: 'power', host: 'xen1', state: 'on' } },
    ]);
  });
});
