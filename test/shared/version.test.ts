import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../shared/version.js';

describe('the version run from source', () => {
  it("is package.json's version marked +dev, which no build's version (RELEASE+DATE.TIME) is", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(`${pkg.version}+dev`);
    expect(VERSION).not.toMatch(/\+\d{8}\.\d{6}$/);
  });
});
