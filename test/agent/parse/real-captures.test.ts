import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole } from '../../../agent/parse/drbd-role.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { classifyDrbdStderr } from '../../../agent/parse/drbd-tool-error.js';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { parseProcDrbd } from '../../../agent/parse/proc-drbd.js';
import { parseXenstoreWatchLine } from '../../../agent/parse/xenstore-watch.js';
import { parseXlInfo } from '../../../agent/parse/xl-info.js';
import { parseXlList } from '../../../agent/parse/xl-list.js';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { classifyToolstackStderr } from '../../../agent/parse/xl-stderr.js';
import { FIXTURE_ROOT, readFixture } from '../../fixture.js';

// Every capture from the real Xen 4.17 / DRBD 8.4 lab (test/lab, `npm run lab -- capture`) goes
// through the parser for its command. A command whose output no parser claims must be listed in
// NOT_PARSED with the reason, so a new capture can't slip through unread.

const DIR = 'real-xen-4.17';

type Check = (stdout: string, stderr: string, rc: number) => void;

const mustParse =
  (parse: (t: string) => { ok: boolean }): Check =>
  (stdout, _stderr, rc) => {
    if (rc !== 0) return;
    const r = parse(stdout);
    if (!r.ok) throw new Error(`did not parse: ${JSON.stringify(r)}`);
  };

/** A failing command's stderr must be recognised (else the agent can't say what went wrong). */
const toolstackError: Check = (_o, stderr, rc) => {
  if (rc === 0) return;
  expect(classifyToolstackStderr(stderr), stderr).not.toBeNull();
};
const drbdError: Check = (_o, stderr, rc) => {
  if (rc === 0) return;
  expect(classifyDrbdStderr(stderr), stderr).not.toBeNull();
};
const both =
  (...checks: Check[]): Check =>
  (o, e, rc) => {
    for (const c of checks) c(o, e, rc);
  };

/** Command name (file name after "dom0X.") → what must hold. First match wins. */
const RULES: ReadonlyArray<readonly [RegExp, Check]> = [
  [/^xl-list(-|\.|$)/, both(mustParse(parseXlList), toolstackError)],
  [/^xl-info$/, mustParse(parseXlInfo)],
  [
    /^xl-migrate/,
    (_o, stderr, rc) => {
      expect(classifyXlMigrate(stderr, rc).kind).not.toBe('unknown');
    },
  ],
  [/^xl-(create|destroy|pause|unpause|shutdown|domid|domname)/, toolstackError],
  [/^drbdadm-role/, both(mustParse(parseDrbdRole), drbdError)],
  [/^drbdadm-cstate/, both(mustParse(parseDrbdCstate), drbdError)],
  [/^drbdadm-dstate/, both(mustParse(parseDrbdDstate), drbdError)],
  [/^drbd(adm|setup)-status-json|^drbdsetup-status-json/, drbdError],
  [/^drbd(adm|setup)-status/, both(mustParse(parseDrbdStatus), drbdError)],
  // live events2 captures end by `timeout` (exit 124): what was printed until then must parse
  [/^drbdsetup-events2-live/, (o) => mustParse(parseEvents2)(o, '', 0)],
  [/^drbdsetup-events2/, both(mustParse(parseEvents2), drbdError)],
  [/^cat-proc-drbd(-later)?$/, (o, _e, rc) => (rc === 0 ? mustParse(parseProcDrbd)(o, '', 0) : undefined)],
  [/^xenstore-watch/, (o) => o.split('\n').filter((l) => l !== '').forEach((l, i) => expect(parseXenstoreWatchLine(l, i + 1).ok).toBe(true))],
  [/^drbdadm-(up|create-md|primary|secondary|down|connect|disconnect|invalidate|disk-options)/, drbdError],
];

/** Captures that are context for people, not input xenherd reads. */
const NOT_PARSED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^lsmod-drbd/, 'lsmod: shows whether drbdadm loaded the module; xenherd reads /proc/drbd instead'],
  [/^which-/, 'where a binary lives in the Debian packages'],
  [/^xl-version-cmds$/, 'version probes for the fixture headers'],
  [/^guest-console-log/, "the guest's own console output, showing it kept running"],
  [/(^|\.)xl-list-l(-|\.|$)/, 'xl list -l, the domains\' stored configs: xenherd reads the domU config files and xl list instead'],
  [/^xenstore-ls/, 'xenstore tree dump for people; xenherd reads xenstore through xenstore-read/watch'],
  [/^dmesg-drbd$/, "the kernel's DRBD log around the split brain, for people"],
  [/\.nonzero$/, 'an emulation glitch (xl exec of a garbage path, exit 127), not Xen behaviour: see the fixtures README'],
];

function captures(): Array<{ rel: string; command: string }> {
  const out: Array<{ rel: string; command: string }> = [];
  for (const state of readdirSync(join(FIXTURE_ROOT, DIR)).sort()) {
    if (state.startsWith('README')) continue;
    for (const f of readdirSync(join(FIXTURE_ROOT, DIR, state)).sort()) {
      const m = /^dom0[ab]\.(.+)\.rc$/.exec(f);
      if (m) out.push({ rel: `${DIR}/${state}/${f.slice(0, -3)}`, command: m[1] as string });
    }
  }
  return out;
}

describe('real Xen 4.17 / DRBD 8.4 lab captures', () => {
  const all = captures();
  it('exist', () => expect(all.length).toBeGreaterThan(40));

  it.each(all)('$rel is read by its parser', ({ rel, command }) => {
    const stdout = readFixture(`${rel}.stdout`).body;
    const stderr = readFixture(`${rel}.stderr`).body;
    const rc = Number(readFixture(`${rel}.rc`).body.trim());
    expect(Number.isInteger(rc)).toBe(true);
    if (NOT_PARSED.some(([re]) => re.test(command))) return;
    // "during-migration-attempt1.xl-list.incoming": the command is what follows the phase
    const tool = command.replace(/^during-[^.]*\./, '');
    const rule = RULES.find(([re]) => re.test(tool));
    expect(rule, `no parser rule for "${command}": add one to RULES or a reason to NOT_PARSED`).toBeDefined();
    rule?.[1](stdout, stderr, rc);
  });
});
