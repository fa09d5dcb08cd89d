import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionModel } from '../../packaging/deb/completion.js';
import { checkoutDebVersion, debFileName, debVersion } from '../../packaging/deb/deb-version.js';
import { parseTopHelp, type BinaryHelp } from '../../packaging/deb/help-probe.js';
import { manPage, roffText } from '../../packaging/deb/man-page.js';
import { controlText } from '../../packaging/deb/metadata.js';

const TOP = `tool 1.2.3
Does things to Dom0s. Second sentence.

usage: tool COMMAND [OPTIONS]
       tool --version | --help

commands:
  run   The daemon.
  keys  keys setup PEER: make a key.

exit codes:
  0   success
  64  XH_ERR_USAGE
`;
const help: BinaryHelp = {
  ...parseTopHelp(TOP),
  commands: [
    { name: 'run', summary: 'The daemon.', help: 'usage: tool run [--config FILE] [--mode fast|slow]\n  --json  print JSON\nThe daemon.\n' },
    { name: 'keys', summary: 'keys setup PEER: make a key.', help: 'usage: tool keys setup PEER [--from IP] [--dir DIR]\n' },
  ],
};

describe('help text → man page and completion', () => {
  it('reads the top-level help as shared/cli/program.ts prints it', () => {
    const h = parseTopHelp(TOP);
    expect(h).toMatchObject({ binary: 'tool', version: '1.2.3', description: 'Does things to Dom0s. Second sentence.', usage: ['tool COMMAND [OPTIONS]', 'tool --version | --help'], exitCodes: ['  0   success', '  64  XH_ERR_USAGE'] });
    expect(h.summaries.map((s) => s.name)).toEqual(['run', 'keys']);
  });

  it('escapes what roff would read as requests, escapes or hyphens', () => {
    expect(roffText(".dot\n'quote\na\\b --json")).toBe("\\&.dot\n\\&'quote\na\\eb \\-\\-json");
  });

  it('puts each command help verbatim under its name, with NAME from the first sentence', () => {
    const page = manPage({ help, section: 8, date: '2025-01-02', seeAlso: ['xl(1)'] });
    expect(page).toContain('.TH TOOL 8 "2025-01-02" "xenherd 1.2.3" "xenherd"');
    expect(page).toContain('.SH NAME\ntool \\- Does things to Dom0s\n');
    expect(page).toContain('.SS run\n.nf\nusage: tool run [\\-\\-config FILE]');
    expect(page).toContain('.SH EXIT STATUS\n.nf\n  0   success');
    expect(page).toContain('.BR xl (1)');
  });

  it('lists FILES (the config files and where their keys are described) before SEE ALSO', () => {
    const page = manPage({ help, section: 8, date: '2025-01-02', seeAlso: ['xl(1)'], files: [{ path: '/etc/tool/a-b.json', what: 'The config; keys: README.' }] });
    expect(page).toContain('.SH FILES\n.TP\n.I /etc/tool/a\\-b.json\nThe config; keys: README.\n.SH SEE ALSO');
    expect(manPage({ help, section: 8, date: '2025-01-02', seeAlso: [] })).not.toContain('.SH FILES');
  });

  it('completes commands, actions, options and their values from the usage lines', () => {
    const m = completionModel(help);
    expect(m.commands[0]).toEqual({ name: 'run', actions: [], options: ['--config', '--mode', '--json', '--help'], values: { '--config': 'file', '--mode': ['fast', 'slow'] } });
    expect(m.commands[1]).toMatchObject({ actions: ['setup'], values: { '--from': 'none', '--dir': 'dir' } });
  });

  it('folds the control description at 80 columns', () => {
    const c = controlText({ name: 'p', version: '1', maintainer: 'm <m@x.invalid>', depends: 'nodejs', synopsis: 's', description: ['word '.repeat(60), 'second'] }, 9);
    expect(c.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(c).toContain('\n .\n second\n');
  });

  it("versions each build by its sources' date, so apt takes a later checkout's build as an upgrade", () => {
    const v = debVersion('0.1.0', new Date('2026-12-05T18:41:12.345Z'));
    expect(v).toBe('0.1.0+20261205.184112');
    const gt = (a: string, b: string): boolean => spawnSync('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;
    // above the bare version every earlier build had, below a later date's and the next release's
    expect(gt(v, '0.1.0')).toBe(true);
    expect(gt(debVersion('0.1.0', new Date('2026-12-06T09:00:00Z')), v)).toBe(true);
    expect(gt(debVersion('0.1.0', new Date('2026-12-05T18:41:13Z')), v)).toBe(true);
    expect(gt('0.1.1', v)).toBe(true);
  });
});

describe('npm run package as shipped', () => {
  const STALE = 'xenherd-agent_0.1.0+20200101.000000_all.deb';
  let dir = '';
  /** what npm run package printed */
  let said = '';
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  const deb = (name: string): string => join(dir, debFileName(name, checkoutDebVersion(process.cwd())));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-deb-test-'));
    // an earlier build's package, and a file of someone else's, in the same directory
    for (const f of [STALE, 'other_1.0_all.deb']) writeFileSync(join(dir, f), '');
    execFileSync('node', ['packaging/build.mjs', '--outdir', dir], { stdio: 'pipe' });
    said = execFileSync('node', ['packaging/run-ts.mjs', 'packaging/deb/main.ts', '--dist', dir, '--out', dir], { encoding: 'utf8', stdio: 'pipe' });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes both packages with their files where Debian expects them', () => {
    const list = (name: string): string => execFileSync('dpkg-deb', ['-c', deb(name)], { encoding: 'utf8' });
    const agent = list('xenherd-agent');
    expect(agent).toMatch(/-rwxr-xr-x root\/root .* \.\/usr\/lib\/xenherd\/xenherd-agent\n/);
    expect(agent).toContain('./usr/sbin/xenherd-agent -> ../lib/xenherd/xenherd-agent');
    // made by the postinst when absent, never shipped: a conffile already there stops an unattended install
    expect(agent).not.toContain('./etc/');
    expect(agent).toContain('./lib/systemd/system/xenherd-agent.service');
    expect(agent).toContain('./usr/share/man/man8/xenherd-agent.8.gz');
    expect(agent).toContain('./usr/share/bash-completion/completions/xenherd-agent');
    const controller = list('xenherd-controller');
    for (const p of ['./usr/bin/xenherdctl -> ../lib/xenherd/xenherdctl', './usr/sbin/xenherd-controller -> ../lib/xenherd/xenherd-controller', './usr/share/man/man1/xenherdctl.1.gz', './usr/share/bash-completion/completions/xenherdctl']) {
      expect(controller).toContain(p);
    }
    // every live move runs ssh (xl migrate -s) and `keys` runs ssh-keygen: the client is no mere
    // recommendation that --no-install-recommends drops; sshd serves the peers' forced commands
    const field = (name: string, f: string): string => execFileSync('dpkg-deb', ['-f', deb(name), f], { encoding: 'utf8' });
    expect(field('xenherd-agent', 'Depends')).toBe('nodejs (>= 18), openssh-client\n');
    expect(field('xenherd-agent', 'Recommends')).toBe('openssh-server\n');
    // only `xenherdctl ssh` runs ssh on the controller's side, and no Dom0 dials its machine: no sshd
    expect(field('xenherd-controller', 'Recommends')).toBe('openssh-client\n');
    const relations = execFileSync('dpkg-deb', ['-f', deb('xenherd-controller'), 'Pre-Depends', 'Depends', 'Recommends', 'Suggests'], { encoding: 'utf8' });
    expect(relations).not.toMatch(/openssh-server|ssh-server/);
  });

  it('lists every file in DEBIAN/md5sums and ships no conffiles, so dpkg asks no conffile question', () => {
    const control = (name: string, file: string): string => execFileSync('dpkg-deb', ['--info', deb(name), file], { encoding: 'utf8' });
    const listed = control('xenherd-agent', 'md5sums').split('\n').filter((l) => l !== '').map((l) => l.replace(/^[0-9a-f]{32}  /, ''));
    const files = execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -tvf - | grep "^-" | sed "s|.* \\./||"', 'sh', deb('xenherd-agent')], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
    expect(listed.sort()).toEqual(files.sort());
    for (const name of ['xenherd-agent', 'xenherd-controller']) {
      const conffiles = spawnSync('dpkg-deb', ['--info', deb(name), 'conffiles'], { encoding: 'utf8' });
      expect(conffiles.status, `${name} has DEBIAN/conffiles: ${conffiles.stdout}`).not.toBe(0);
    }
  });

  it("leaves no earlier build's package beside the new ones, and names each it removed", () => {
    expect(existsSync(join(dir, STALE))).toBe(false);
    expect(existsSync(join(dir, 'other_1.0_all.deb'))).toBe(true);
    expect(said.split('\n').filter((l) => l.startsWith('removed '))).toEqual([`removed the earlier build ${join(dir, STALE)}`]);
  });

  it('prints the exact file to install on each machine, which no older copy beside it matches', () => {
    // a glob in `apt install ./xenherd-agent_*_all.deb` matched every copied build, and apt took one without a word
    for (const [name, where] of [['xenherd-controller', "on the controller's machine"], ['xenherd-agent', 'on each Dom0']] as const) {
      expect(said).toContain(`${deb(name)}: `);
      expect(said).toContain(`${where}, where you copied it: apt install ./${basename(deb(name))}\n`);
    }
  });

  it("carries package.json's version and the sources' date, in the control file and the file name", () => {
    for (const name of ['xenherd-agent', 'xenherd-controller']) {
      const v = execFileSync('dpkg-deb', ['-f', deb(name), 'Version'], { encoding: 'utf8' }).trim();
      expect(v).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\+\\d{8}\\.\\d{6}$`));
      expect(deb(name).endsWith(`_${v}_all.deb`)).toBe(true);
    }
  });

  it('documents the config files: FILES in the man pages, the README with the key tables in /usr/share/doc', () => {
    const file = (name: string, path: string): Buffer => execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xOf - "$2"', 'sh', deb(name), path]);
    const readme = readFileSync('README.md', 'utf8');
    for (const name of ['xenherd-agent', 'xenherd-controller']) {
      const doc = gunzipSync(file(name, `./usr/share/doc/${name}/README.md.gz`)).toString('utf8');
      expect(doc).toBe(readme);
    }
    const agentPage = gunzipSync(file('xenherd-agent', './usr/share/man/man8/xenherd-agent.8.gz')).toString('utf8');
    const files = agentPage.slice(agentPage.indexOf('.SH FILES'), agentPage.indexOf('.SH SEE ALSO'));
    expect(files).toContain('.I /etc/xenherd/agent.json');
    expect(files).toContain('/usr/share/doc/xenherd\\-agent/README.md.gz');
    expect(files).toContain('chmod 600');
    const ctlPage = gunzipSync(file('xenherd-controller', './usr/share/man/man8/xenherd-controller.8.gz')).toString('utf8');
    for (const p of ['.I /etc/xenherd/controller.json', '/etc/xenherd/state/tokens.json', '/usr/share/doc/xenherd\\-controller/README.md.gz']) expect(ctlPage).toContain(p);
    // the controller's unit reloads nothing, so it needs no /bin/kill
    expect(execFileSync('dpkg-deb', ['-f', deb('xenherd-controller'), 'Depends'], { encoding: 'utf8' })).toBe('nodejs (>= 18)\n');
  });

  it('is lintian clean: every tag left is overridden, with its reason in packaging/deb/lintian', () => {
    const probe = spawnSync('lintian', ['--version'], { encoding: 'utf8' });
    expect(probe.status, 'lintian is needed (apt-get install lintian; .ci/run installs it)').toBe(0);
    const r = spawnSync('lintian', ['--pedantic', '--display-info', '--display-experimental', '--fail-on', 'none', deb('xenherd-agent'), deb('xenherd-controller')], { encoding: 'utf8', timeout: 120_000 });
    // 2: lintian could not read a package (then it prints no tags at all); tags alone leave it 0
    expect(r.status, r.stderr).toBe(0);
    const tags = r.stdout.split('\n').filter((l) => /^[EWIPX]: /.test(l));
    expect(tags).toEqual([]);
  }, 130_000);
});
