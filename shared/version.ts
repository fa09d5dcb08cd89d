import pkg from '../package.json' with { type: 'json' };

/**
 * The build's version. packaging/build.mjs replaces XENHERD_VERSION with the packages' Debian
 * version (packaging/deb/deb-version.ts: package.json's version + the sources' date), so an agent's
 * hello, `hosts` and --version tell one build from another as apt does. Run from source (tests,
 * dev tools) the global is absent: package.json's version marked "+dev", which no build carries.
 */
declare const XENHERD_VERSION: string | undefined;

export const VERSION: string = typeof XENHERD_VERSION === 'string' ? XENHERD_VERSION : `${pkg.version}+dev`;
