// xenherdctl's executable: runs the program (controller/ctl/main.ts, built into this file as one
// string) through V8's code cache when this user has a good one, and leaves one for the next run
// when not. Nothing else happens here: every start pays for this file.
import { dirname, join } from 'node:path';
import { PROGRAM_SOURCE, PROGRAM_SOURCE_KEY } from 'xenherd:ctl-program';
import { cacheDir, cacheFileName, compileProgram, pruneOtherBuilds, readCache, writeCache } from './code-cache.js';

/** The CommonJS module function the program's source is wrapped in at build time. */
type ProgramFunction = (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;

const dir = cacheDir(process.env);
const path = dir === null ? null : join(dir, cacheFileName({ sourceKey: PROGRAM_SOURCE_KEY, node: process.version, arch: process.arch, command: process.argv[2] }));
const cached = path === null ? null : readCache(path, process.getuid?.() ?? -1);
const { script, cache } = compileProgram(PROGRAM_SOURCE, __filename, cached);
if (dir !== null && path !== null && cache !== 'taken') {
  // At exit, so that the code compiled while the command ran is in it too, not only the top level;
  // and only after a command that worked: a mistyped one would leave a cache under its own name.
  process.once('exit', (code) => {
    if (code === 0 && writeCache(dir, path, script.createCachedData())) pruneOtherBuilds(dir, PROGRAM_SOURCE_KEY, Date.now());
  });
}
(script.runInThisContext() as ProgramFunction)(module.exports, require, module, __filename, dirname(__filename));
