#!/usr/bin/env node
// Builds the three single-file executables in dist/. Each must run copied alone into an empty
// directory on Node 18+, so:
// - format is CommonJS: an extensionless file with no package.json beside it is loaded as CJS;
// - import.meta.url is rewritten to the bundle's own file URL (execa and our ESM sources use it);
// - ssh2's optional native helpers (sshcrypto.node, cpu-features) are left out: ssh2 wraps both
//   requires in try/catch and falls back to pure JS;
// - pino is used without transports (no worker threads), logging JSON to stdout.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The binaries carry the packages' version (package.json's + the sources' date), so a Dom0's agent
// tells which build it runs, not 0.1.0 for every build. deb-version.ts computes it for both; this
// script runs without a TypeScript loader, so it is compiled here and imported from memory.
const versionModule = await build({ entryPoints: [join(root, 'packaging/deb/deb-version.ts')], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'warning' });
const { checkoutDebVersion } = await import(`data:text/javascript;base64,${Buffer.from(versionModule.outputFiles[0].text).toString('base64')}`);
const version = checkoutDebVersion(root);

const entries = [
  { name: 'xenherd-agent', entry: 'agent/main.ts' },
  { name: 'xenherd-controller', entry: 'controller/main.ts' },
  { name: 'xenherdctl', entry: 'controller/ctl/launcher/launch.ts' },
];

const nativeOptionalDeps = {
  name: 'leave-out-native-optional-deps',
  setup(b) {
    b.onResolve({ filter: /(\.node$|^cpu-features$)/ }, (args) => ({ path: args.path, external: true }));
  },
};

// zod re-exports every translation of its messages (z.locales, z.core.locales): about 250 KB of each bundle,
// parsed at every start. xenherd's messages are English (zod registers English itself, apart
// from z.locales) and nothing here reaches for z.locales, so that namespace holds English alone.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-english-only' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path), loader: 'js' }));
  },
};

// usage: build.mjs [--outdir DIR] [NAME...]   (default dir: dist/, default: all three)
const args = process.argv.slice(2);
const outIdx = args.indexOf('--outdir');
const outdir = outIdx >= 0 ? args.splice(outIdx, 2)[1] : join(root, 'dist');
if (!outdir) throw new Error('--outdir needs a directory');
const only = args;
// XENHERD_BUILD_READABLE=1: names kept and code left unminified, for reading a CPU profile
const readable = process.env.XENHERD_BUILD_READABLE === '1';
mkdirSync(outdir, { recursive: true });
// dist/ sits under the repo's package.json ("type": "module"): tell Node the bundles there are
// CommonJS, so ./dist/xenherd-agent runs in place too (a copy on its own needs nothing).
writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
const SHEBANG = '#!/usr/bin/env node\n';
const PRELUDE = "'use strict';\nvar __xh_import_meta_url = require('node:url').pathToFileURL(__filename).href;";

/** esbuild's options for one of the programs. */
const options = (entry, plugins = []) => ({
  entryPoints: [join(root, entry)],
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  minify: !readable,
  keepNames: readable,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [nativeOptionalDeps, zodEnglishOnly, ...plugins],
  define: {
    'import.meta.url': '__xh_import_meta_url',
    XENHERD_VERSION: JSON.stringify(version),
  },
});

// xenherdctl starts for every command an operator types, so it is built in two steps: the program
// as one CommonJS module function's source, then the launcher (controller/ctl/launcher/) holding
// that source as a string, which it compiles through V8's per-user code cache.
const ctlProgram = async () => {
  const program = await build({ ...options('controller/ctl/main.ts'), write: false, banner: { js: PRELUDE } });
  const source = `(function (exports, require, module, __filename, __dirname) {${program.outputFiles[0].text}\n})`;
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return {
    name: 'xenherdctl-program-source',
    setup(b) {
      b.onResolve({ filter: /^xenherd:ctl-program$/ }, (args) => ({ path: args.path, namespace: 'xenherdctl-program' }));
      b.onLoad({ filter: /.*/, namespace: 'xenherdctl-program' }, () => ({
        contents: `export const PROGRAM_SOURCE = ${JSON.stringify(source)};\nexport const PROGRAM_SOURCE_KEY = ${JSON.stringify(key)};\n`,
        loader: 'js',
      }));
    },
  };
};

for (const { name, entry } of entries) {
  if (only.length > 0 && !only.includes(name)) continue;
  const outfile = join(outdir, name);
  const plugins = name === 'xenherdctl' ? [await ctlProgram()] : [];
  await build({ ...options(entry, plugins), outfile, banner: { js: SHEBANG + PRELUDE } });
  chmodSync(outfile, 0o755);
  process.stdout.write(`${name} ${version}: ${statSync(outfile).size} bytes\n`);
}
