// npm run package: the Debian packages xenherd-agent_VERSION_all.deb and
// xenherd-controller_VERSION_all.deb from the bundles in dist/ (npm run build makes them first),
// VERSION being package.json's version and the sources' date (deb-version.ts).
// No network: dpkg-deb only. Man pages and bash completion are made here from the bundles' own
// --help, so they say exactly what the shipped binaries print.
// Usage: node packaging/run-ts.mjs packaging/deb/main.ts [--dist DIR] [--out DIR]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { completionModel, completionScript } from './completion.js';
import { debFileName, debVersion, sourceDate } from './deb-version.js';
import { probeHelp, type BinaryHelp } from './help-probe.js';
import { AGENT, CONTROLLER } from './layout.js';
import { MAN_FILES } from './man-files.js';
import { manPage } from './man-page.js';
import { bundledPackages } from './metadata.js';
import { buildDeb, stagePackage } from './stage.js';

const repo = process.cwd();
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? resolve(args[i + 1] as string) : fallback;
};
const dist = option('--dist', join(repo, 'dist'));
const out = option('--out', dist);

const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
// DEBFULLNAME/DEBEMAIL as for dch; the default names the project, at a domain that never resolves
const maintainer = `${process.env['DEBFULLNAME'] ?? 'xenherd maintainers'} <${process.env['DEBEMAIL'] ?? 'maintainers@xenherd.invalid'}>`;

const date = sourceDate(repo);
const packageVersion = debVersion(version, date);
const helps = new Map<string, BinaryHelp>();
const helpOf = (binary: string): BinaryHelp => {
  let h = helps.get(binary);
  if (h === undefined) {
    h = probeHelp(join(dist, binary));
    if (h.version !== packageVersion) throw new Error(`${dist}/${binary} is version ${h.version}, the packages ${packageVersion}: run npm run build`);
    helps.set(binary, h);
  }
  return h;
};
const SEE_ALSO: Record<string, string[]> = {
  'xenherd-agent': ['xenherd-controller(8)', 'xenherdctl(1)', 'systemctl(1)', 'xl(1)', 'drbdadm(8)'],
  'xenherd-controller': ['xenherdctl(1)', 'xenherd-agent(8)', 'systemd.exec(5)'],
  xenherdctl: ['xenherd-controller(8)', 'xenherd-agent(8)'],
};

mkdirSync(out, { recursive: true });
// Earlier builds' packages (other versions) go, each named: with two builds of a package side by
// side, a glob in `apt install ./xenherd-agent_*_all.deb` matches both and apt installs one of them
// without a word. This build's own names are made again below, so they go unsaid.
const making = new Set([AGENT, CONTROLLER].map((l) => debFileName(l.meta.name, packageVersion)));
for (const f of readdirSync(out)) {
  if (!/^xenherd-(agent|controller)_[^_]+_all\.deb$/.test(f)) continue;
  rmSync(join(out, f), { force: true });
  if (!making.has(f)) process.stdout.write(`removed the earlier build ${join(out, f)}\n`);
}
const bundled = bundledPackages(repo);
const work = mkdtempSync(join(tmpdir(), 'xenherd-deb-'));
try {
  for (const layout of [AGENT, CONTROLLER]) {
    const root = join(work, layout.meta.name);
    stagePackage(layout, {
      root,
      dist,
      version: packageVersion,
      maintainer,
      date,
      bundled,
      render: (s) =>
        s.from === 'man'
          ? manPage({ help: helpOf(s.binary), section: s.section, date: date.toISOString().slice(0, 10), seeAlso: SEE_ALSO[s.binary] ?? [], files: MAN_FILES[s.binary] ?? [] })
          : completionScript(completionModel(helpOf(s.binary))),
    }, repo);
    const deb = buildDeb(root, out, layout.meta.name, packageVersion, date);
    process.stdout.write(`${deb}: ${statSync(deb).size} bytes\n`);
  }
  // the exact names to install, as the README's steps take them: a glob could match an older copy
  process.stdout.write(`on the controller's machine, where you copied it: apt install ./${debFileName(CONTROLLER.meta.name, packageVersion)}\n`);
  process.stdout.write(`on each Dom0, where you copied it: apt install ./${debFileName(AGENT.meta.name, packageVersion)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
