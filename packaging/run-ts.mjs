#!/usr/bin/env node
// Runs a TypeScript entry point (a dev tool: lab, sim, demo, bench) without a TS loader dependency:
// esbuild bundles it to a temp .mjs under node_modules/.cache (so ESM resolves the project's
// packages from there), then Node imports it.
// Usage: node packaging/run-ts.mjs path/to/entry.ts [args...]
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node packaging/run-ts.mjs ENTRY.ts [ARGS...]\n');
  process.exit(64);
}
const cacheDir = resolve('node_modules/.cache');
mkdirSync(cacheDir, { recursive: true });
const dir = mkdtempSync(join(cacheDir, 'xenherd-run-'));
const out = join(dir, 'entry.mjs');
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __xhCreateRequire } from 'node:module'; const require = __xhCreateRequire(import.meta.url);" },
  });
} catch {
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);
await import(pathToFileURL(out).href);
