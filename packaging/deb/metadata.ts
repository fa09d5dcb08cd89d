import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What both packages say about themselves: control fields, copyright, changelog. */
export interface PackageMeta {
  readonly name: string;
  readonly version: string;
  readonly maintainer: string;
  readonly depends: string;
  readonly recommends?: string;
  readonly suggests?: string;
  readonly synopsis: string;
  /** paragraphs of the long description, each wrapped at 79 columns */
  readonly description: readonly string[];
}

/** Folds a paragraph into control-file continuation lines (leading space, at most 80 columns). */
function fold(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > 78) {
      lines.push(` ${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(` ${line}`);
  return lines;
}

export function controlText(m: PackageMeta, installedSizeKiB: number): string {
  const fields: [string, string | undefined][] = [
    ['Package', m.name],
    ['Source', 'xenherd'],
    ['Version', m.version],
    ['Architecture', 'all'],
    ['Maintainer', m.maintainer],
    ['Installed-Size', String(installedSizeKiB)],
    ['Depends', m.depends],
    ['Recommends', m.recommends],
    ['Suggests', m.suggests],
    ['Section', 'admin'],
    ['Priority', 'optional'],
  ];
  const body = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`);
  const long = m.description.flatMap((p, i) => [...(i > 0 ? [' .'] : []), ...fold(p)]);
  return `${body.join('\n')}\nDescription: ${m.synopsis}\n${long.join('\n')}\n`;
}

const EXPAT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`;

/** The npm packages the bundles may embed (the lock file's runtime packages), with their licenses. */
export function bundledPackages(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean; optional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.dev !== true && p.optional !== true)
    .map(([path, p]) => {
      const pkgFile = join(root, path, 'package.json');
      const license = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { license?: string }).license ?? 'see its LICENSE' : 'unknown';
      return `${path.replace(/^.*node_modules\//, '')} ${p.version ?? ''} (${license})`;
    })
    .sort();
}

/** debian/copyright in the machine-readable format (DEP-5). */
export function copyrightText(bundled: readonly string[], year: number): string {
  const para = (text: string) => text.split('\n\n').map((p) => fold(p).join('\n')).join('\n .\n');
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: xenherd',
    '',
    'Files: *',
    `Copyright: ${year} the xenherd authors`,
    'License: Expat',
    'Comment: The executables under /usr/lib/xenherd are esbuild bundles that embed these npm',
    ' packages (name, version, license as each declares it):',
    ...bundled.map((b) => ` ${b}`),
    '',
    'License: Expat',
    para(EXPAT),
    '',
  ].join('\n');
}

/** A native package's changelog: one entry for this version, dated like the sources. */
export function changelogText(version: string, maintainer: string, date: Date): string {
  return `xenherd (${version}) unstable; urgency=medium\n\n  * Built from the xenherd sources at version ${version}.\n\n -- ${maintainer}  ${date.toUTCString().replace('GMT', '+0000')}\n`;
}
