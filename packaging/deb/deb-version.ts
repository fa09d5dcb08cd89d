import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sources' date (SOURCE_DATE_EPOCH, else the last commit, else package.json's mtime in a tree
 * without git): the same sources make the same packages.
 */
export function sourceDate(repo: string, env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  try {
    const ct = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^\d+$/.test(ct)) return new Date(Number(ct) * 1000);
  } catch {
    // no git, or not a checkout: package.json's mtime below
  }
  return new Date(Math.floor(statSync(join(repo, 'package.json')).mtimeMs / 1000) * 1000);
}

/**
 * The packages' Debian version: package.json's version, `+`, then the sources' date in UTC
 * (0.1.0+20261205.184112). package.json's version alone is the same for every commit, and apt
 * installs nothing over a package of the same version ("already the newest version"), so a build
 * of a later checkout was no upgrade at all; with the date it sorts after the build it replaces
 * (and an older checkout's before it, which dpkg then calls a downgrade).
 */
export function debVersion(version: string, date: Date): string {
  const stamp = date.toISOString().replace(/\.\d{3}Z$/, '').replace(/[-:]/g, '').replace('T', '.');
  return `${version}+${stamp}`;
}

export const debFileName = (name: string, version: string): string => `${name}_${version}_all.deb`;

/** The Debian version `npm run package` gives the checkout at REPO now. */
export function checkoutDebVersion(repo: string, env: NodeJS.ProcessEnv = process.env): string {
  const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
  return debVersion(version, sourceDate(repo, env));
}
