import { dirname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Each program imports zod as a namespace (`import * as z`), so the bundler keeps only the parts
// of zod it calls. One `import { z }` anywhere makes zod's whole namespace a value kept in every
// bundle: its JSON Schema conversion and z.compile, a third of xenherdctl, parsed and run at each
// start of every command.
const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '../..'));
const NEVER_CALLED = ['zod/v4/core/compile.js', 'zod/v4/classic/from-json-schema.js'];

describe.each(['agent/main.ts', 'controller/main.ts', 'controller/ctl/main.ts'])('the bundle of %s', (entry) => {
  it("holds none of zod's modules it never calls", async () => {
    // minified as packaging/build.mjs builds it (unminified, a module left out still leaves its name), ssh2's native parts left out as there
    const r = await build({ absWorkingDir: ROOT, entryPoints: [entry], bundle: true, platform: 'node', target: 'node18', format: 'cjs', minify: true, external: ['*.node', 'cpu-features'], write: false, metafile: true, logLevel: 'silent', outfile: 'bundle.js' });
    const kept = Object.entries(Object.values(r.metafile.outputs)[0]?.inputs ?? {});
    expect(kept.some(([k]) => k.includes('node_modules/zod/'))).toBe(true);
    // a statement the bundler cannot prove free of effects (a Symbol.for) may stay: a few bytes, not the module
    for (const m of NEVER_CALLED) expect(kept.filter(([k, v]) => k.endsWith(`node_modules/${m}`) && v.bytesInOutput > 100).map(([k, v]) => `${k}: ${v.bytesInOutput} bytes`)).toEqual([]);
  });
});
