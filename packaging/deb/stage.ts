import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { debFileName } from './deb-version.js';
import type { PackageLayout, Source } from './layout.js';
import { changelogText, controlText, copyrightText } from './metadata.js';

export interface StageInput {
  readonly root: string;
  /** directory holding the three bundles */
  readonly dist: string;
  readonly version: string;
  readonly maintainer: string;
  readonly date: Date;
  readonly bundled: readonly string[];
  readonly render: (s: Exclude<Source, { from: 'bundle' | 'repo' }>) => string;
}

/** gzip as `gzip -9n` does it: no name, no timestamp, so the same input gives the same bytes. */
const gz = (text: string): Buffer => gzipSync(Buffer.from(text), { level: 9 });

/** A bundle with Debian's interpreter path: policy wants /usr/bin/node, not a PATH lookup. */
function bundleText(dist: string, binary: string): Buffer {
  const text = readFileSync(join(dist, binary), 'utf8');
  if (!text.startsWith('#!/usr/bin/env node\n')) throw new Error(`${binary}: no #!/usr/bin/env node line`);
  return Buffer.from(text.replace('#!/usr/bin/env node\n', '#!/usr/bin/node\n'));
}

function put(root: string, path: string, content: Buffer | string, mode: number): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, content);
  chmodSync(file, mode);
}

function walk(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).flatMap((n) => {
    const p = rel === '' ? n : `${rel}/${n}`;
    return lstatSync(join(dir, p)).isDirectory() ? [p, ...walk(dir, p)] : [p];
  });
}

/** Builds the package tree under s.root, DEBIAN/ included (control with its Installed-Size, md5sums, scripts). */
export function stagePackage(layout: PackageLayout, s: StageInput, repo: string): void {
  const name = layout.meta.name;
  const content = (src: Source): Buffer | string => {
    if (src.from === 'bundle') return bundleText(s.dist, src.binary);
    if (src.from === 'repo') return src.gzip === true ? gzipSync(readFileSync(join(repo, src.file)), { level: 9 }) : readFileSync(join(repo, src.file));
    const text = s.render(src);
    return src.from === 'man' ? gz(text) : text;
  };
  for (const e of layout.entries) {
    if (e.kind === 'file') put(s.root, e.path, content(e.source), e.mode);
    else {
      mkdirSync(dirname(join(s.root, e.path)), { recursive: true, mode: 0o755 });
      symlinkSync(e.target, join(s.root, e.path));
    }
  }
  put(s.root, `usr/share/doc/${name}/copyright`, copyrightText(s.bundled, s.date.getUTCFullYear()), 0o644);
  put(s.root, `usr/share/doc/${name}/changelog.gz`, gz(changelogText(s.version, s.maintainer, s.date)), 0o644);
  const overrides = join(repo, 'packaging/deb/lintian', name);
  if (existsSync(overrides)) put(s.root, `usr/share/lintian/overrides/${name}`, readFileSync(overrides), 0o644);

  const paths = walk(s.root);
  const files = paths.filter((p) => lstatSync(join(s.root, p)).isFile());
  const kib = paths.reduce((n, p) => n + Math.max(1, Math.ceil(lstatSync(join(s.root, p)).size / 1024)), 0);
  const md5 = files.map((p) => `${createHash('md5').update(readFileSync(join(s.root, p))).digest('hex')}  ${p}\n`).join('');
  const meta = { ...layout.meta, version: s.version, maintainer: s.maintainer };
  put(s.root, 'DEBIAN/control', controlText(meta, kib), 0o644);
  put(s.root, 'DEBIAN/md5sums', md5, 0o644);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    const from = join(repo, 'packaging/deb/scripts', `${layout.scripts}.${script}`);
    if (existsSync(from)) {
      copyFileSync(from, join(s.root, 'DEBIAN', script));
      chmodSync(join(s.root, 'DEBIAN', script), 0o755);
    }
  }
  // every directory 0755 whatever the umask; every time stamp the sources' date
  for (const p of ['', ...walk(s.root)]) {
    const full = join(s.root, p);
    const st = lstatSync(full);
    if (st.isDirectory()) chmodSync(full, 0o755);
    if (!st.isSymbolicLink()) utimesSync(full, s.date, s.date);
  }
}

/** dpkg-deb with root:root ownership (no fakeroot needed) into OUT; returns the .deb's path. */
export function buildDeb(root: string, out: string, name: string, version: string, date: Date): string {
  const deb = join(out, debFileName(name, version));
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, deb], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SOURCE_DATE_EPOCH: String(Math.floor(date.getTime() / 1000)) },
  });
  return deb;
}
