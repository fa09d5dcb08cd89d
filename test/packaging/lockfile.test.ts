import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `npm ci` refuses a lock file that leaves out an optional dependency of a locked package (it
// reports "Missing: @rollup/rollup-darwin-x64@ from lock file"), even one for another platform.
// That happened when the registry lacked some platform builds of the newest rollup; package.json
// now overrides rollup to a release whose builds are all published. This test catches the next
// such drift before CI does.
interface LockedPackage {
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}
interface LockFile {
  lockfileVersion: number;
  packages: Record<string, LockedPackage>;
}

const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as LockFile;

/** Node's resolution: look in PATH/node_modules, then in each enclosing node_modules. */
function resolves(fromPath: string, name: string): boolean {
  let dir = fromPath;
  for (;;) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (candidate in lock.packages) return true;
    if (dir === "") return false;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut === -1 ? "" : dir.slice(0, cut);
  }
}

describe("package-lock.json", () => {
  it("is a v3 lock file", () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  /** every PATH -> NAME that a locked package lists in FIELD and the lock cannot resolve */
  const unresolved = (field: 'dependencies' | 'optionalDependencies'): string[] =>
    Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, pkg]) => Object.keys(pkg[field] ?? {}).filter((name) => !resolves(path, name)).map((name) => `${path} -> ${name}`));

  it("lists every optional dependency of every locked package, as npm ci requires", () => {
    expect(unresolved('optionalDependencies')).toEqual([]);
  });

  it("lists every required dependency of every locked package", () => {
    expect(unresolved('dependencies')).toEqual([]);
  });
});
