import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDiskSpec } from '../../agent/parse/domu-config-disk.js';
import { parseVifSpec } from '../../agent/parse/domu-config-vif.js';
import { parseDomuConfig } from '../../agent/parse/domu-config.js';
import { drbdResHosts } from '../../agent/parse/drbd-res-hosts.js';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole } from '../../agent/parse/drbd-role.js';
import { parseDrbdStatusJson } from '../../agent/parse/drbd-status-json.js';
import { parseDrbdStatus } from '../../agent/parse/drbd-status.js';
import { classifyDrbdStderr } from '../../agent/parse/drbd-tool-error.js';
import { parseDrbdadmVersion } from '../../agent/parse/drbd-version.js';
import { parseEvents2 } from '../../agent/parse/events2.js';
import { parseMigrateTab } from '../../agent/parse/migrate-tab.js';
import { parseProcDrbdSync } from '../../agent/parse/proc-drbd-sync.js';
import { parseProcDrbd } from '../../agent/parse/proc-drbd.js';
import { unsanitiseXenstoreValue } from '../../agent/parse/xenstore-value.js';
import { parseXenstoreWatchLine } from '../../agent/parse/xenstore-watch.js';
import { parseXlInfo, parseXmInfo } from '../../agent/parse/xl-info.js';
import { parseXlList } from '../../agent/parse/xl-list.js';
import { classifyXlMigrate } from '../../agent/parse/xl-migrate.js';
import { decodeXlState, decodeXmState, splitDomainName } from '../../agent/parse/xl-state.js';
import { classifyToolstackStderr } from '../../agent/parse/xl-stderr.js';
import { parseXmList } from '../../agent/parse/xm-list.js';
import { classifyXmMigrate } from '../../agent/parse/xm-migrate.js';
import { isErrorCode } from '../../shared/errors.js';
import { DomainSchema } from '../../shared/inventory.js';
import { FIXTURE_ROOT, listFixtures, readFixture } from '../fixture.js';
import { count, mutatedText, PATHOLOGICAL_TEXTS, reportCounts, runs, timed } from './fuzz-kit.js';

// Every parser in agent/parse/ over its verbatim fixtures, mutated (cut short, bytes flipped,
// lines dropped, repeated or swapped, digits and whitespace changed, junk inserted) and over
// inputs that make backtracking regexes or recursion slow: each input is parsed or refused with
// a typed error (a catalog code and a sentence), nothing throws, nothing takes long.

reportCounts('parsers');

const SLOW_MS = 1_000;

const body = (rel: string): string => readFixture(rel).body;
const fixtures = (...dirs: string[]): string[] => dirs.flatMap((d) => listFixtures(d)).map(body);
/** the real Xen 4.17 lab captures whose file name matches */
function labOutputs(re: RegExp): string[] {
  const root = join(FIXTURE_ROOT, 'real-xen-4.17');
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).filter((f) => re.test(f)).map((f) => join('real-xen-4.17', d.name, f)))
    .map((rel) => (rel.endsWith('.stdout') || rel.endsWith('.stderr') ? readFileSync(join(FIXTURE_ROOT, rel), 'utf8').replace(/^(#@ [^\n]*\n)+/, '') : body(rel)));
}

type Check = (out: unknown) => void;
/** A Result: ok with a value, or a refusal with a catalog code and a sentence. */
const isResult =
  (value: Check = () => undefined): Check =>
  (out) => {
    const r = out as { ok: boolean; value?: unknown; error?: { code?: unknown; message?: unknown } };
    expect(typeof r.ok).toBe('boolean');
    if (r.ok) value(r.value);
    else {
      expect(typeof r.error?.code === 'string' && isErrorCode(r.error.code), `code ${String(r.error?.code)}`).toBe(true);
      expect(typeof r.error?.message === 'string' && r.error.message.length > 0).toBe(true);
    }
  };
const anything: Check = () => undefined;
const domains: Check = (v) => {
  for (const d of v as unknown[]) DomainSchema.parse(d);
};

interface Surface {
  readonly name: string;
  readonly corpus: readonly string[];
  readonly run: (text: string) => unknown;
  readonly check: Check;
}

const SURFACES: readonly Surface[] = [
  { name: 'xl list', corpus: [...fixtures('xl').filter((t) => /^Name/m.test(t)), ...labOutputs(/xl-list(\.[a-z]+)?\.stdout$/)], run: parseXlList, check: isResult(domains) },
  { name: 'xm list', corpus: fixtures('xm').filter((t) => /^Name/m.test(t)), run: parseXmList, check: isResult(domains) },
  { name: 'xl info', corpus: [...listFixtures('xl').filter((f) => f.includes('info')).map(body), ...labOutputs(/xl-info\.stdout$/)], run: parseXlInfo, check: isResult() },
  { name: 'xm info', corpus: listFixtures('xm').filter((f) => f.includes('info')).map(body), run: parseXmInfo, check: isResult() },
  { name: 'xl migrate stderr', corpus: listFixtures('xl').filter((f) => f.includes('migrate')).map(body), run: (t) => classifyXlMigrate(t, 1), check: anything },
  { name: 'xm migrate stderr', corpus: listFixtures('xm').filter((f) => f.includes('migrate')).map(body), run: (t) => classifyXmMigrate(t, 1), check: anything },
  { name: 'toolstack stderr', corpus: [...listFixtures('xl'), ...listFixtures('xm')].filter((f) => f.includes('stderr')).map(body), run: classifyToolstackStderr, check: anything },
  { name: 'drbdadm role', corpus: [...fixtures('drbd/role'), ...labOutputs(/drbdadm-role-r0\.stdout$/)], run: parseDrbdRole, check: isResult() },
  { name: 'drbdadm cstate', corpus: labOutputs(/drbdadm-cstate-r0\.stdout$/), run: parseDrbdCstate, check: isResult() },
  { name: 'drbdadm dstate', corpus: labOutputs(/drbdadm-dstate-r0\.stdout$/), run: parseDrbdDstate, check: isResult() },
  { name: 'drbdadm status', corpus: [...fixtures('drbd/status'), ...labOutputs(/(drbdadm-status(-r0)?|drbdsetup-status-r0-verbose-statistics)\.stdout$/)], run: parseDrbdStatus, check: isResult() },
  { name: 'drbdsetup status --json', corpus: [...fixtures('drbd/status-json'), ...labOutputs(/drbdsetup-status-json.*\.stdout$/)], run: parseDrbdStatusJson, check: isResult() },
  { name: 'drbdadm --version', corpus: fixtures('drbd/version'), run: parseDrbdadmVersion, check: isResult() },
  { name: 'drbd stderr', corpus: [...fixtures('drbd/stderr'), ...labOutputs(/drbdadm-.*\.stderr$/).filter((t) => t !== '')], run: classifyDrbdStderr, check: anything },
  { name: 'drbdsetup events2', corpus: [...fixtures('drbd/events2'), ...labOutputs(/drbdsetup-events2-now(-timestamps)?\.stdout$/)], run: parseEvents2, check: isResult() },
  { name: '/proc/drbd', corpus: [...fixtures('drbd/proc'), ...labOutputs(/cat-proc-drbd\.stdout$/)], run: parseProcDrbd, check: isResult() },
  {
    name: '/proc/drbd sync lines',
    corpus: [...fixtures('drbd/proc'), ...labOutputs(/cat-proc-drbd\.stdout$/)].flatMap((t) => t.split('\n').filter((l) => /sync'ed|verified|finish/.test(l))),
    run: (t) => t.split('\n').reduce<unknown>((s, l) => (typeof s === 'string' ? s : parseProcDrbdSync(s as never, l)), null),
    check: anything,
  },
  { name: 'migrate-tab', corpus: fixtures('migrate-tab'), run: (t) => parseMigrateTab(t, '/etc/xen/migrate-tab.txt'), check: isResult() },
  { name: 'xenstore-watch lines', corpus: [...fixtures('xenstore'), ...labOutputs(/xenstore-watch.*\.stdout$/)], run: (t) => t.split('\n').map((l, i) => parseXenstoreWatchLine(l, i + 1)), check: (out) => (out as unknown[]).forEach((r) => isResult()(r)) },
  { name: 'xenstore values', corpus: [...fixtures('xenstore')], run: unsanitiseXenstoreValue, check: anything },
  { name: 'domU config (auto)', corpus: fixtures('domu-config'), run: (t) => parseDomuConfig(t, '/etc/xen/drbd-auto/x.cfg', { dialect: 'auto' }), check: isResult() },
  { name: 'domU config (xl)', corpus: fixtures('domu-config'), run: (t) => parseDomuConfig(t, '/etc/xen/x.cfg', { dialect: 'xl' }), check: isResult() },
  { name: 'domU config (xm)', corpus: fixtures('domu-config'), run: (t) => parseDomuConfig(t, '/etc/xen/x.cfg', { dialect: 'xm' }), check: isResult() },
  {
    name: 'disk and vif specs',
    corpus: ['phy:/dev/drbd0,xvda,w', 'drbd:r0,xvda,w', 'format=raw, vdev=xvda, access=rw, target=/dev/vg/root', 'file:/img.raw,hda,w!', 'mac=00:16:3e:00:00:01,bridge=xenbr0', 'bridge=br0,ip=10.0.0.2'],
    run: (t) => [parseDiskSpec(t), parseVifSpec(t)],
    check: (out) => (out as unknown[]).forEach((r) => expect(typeof (r as { ok: unknown }).ok).toBe('boolean')),
  },
  { name: 'drbd .res hosts', corpus: ['resource r0 {\n  on xen1 { address 10.0.0.1:7788; }\n  on xen2 { address 10.0.0.2:7788; }\n}\n'], run: (t) => drbdResHosts(t, 'r0', '/etc/drbd.d/r0.res'), check: isResult() },
  {
    name: 'state letters and row names',
    corpus: ['r-----', '-b----', '--p---', '---s--', '----c-', '-----d', 'web1--incoming', 'web1--migratedaway', 'Domain-0'],
    run: (t) => [decodeXlState(t), decodeXmState(t), splitDomainName(t)],
    check: anything,
  },
];

describe('every agent/parse parser over mutated and truncated fixtures: parsed or refused with a reason, never a throw or a hang', () => {
  for (const s of SURFACES) {
    it(`${s.name} (${s.corpus.length} fixtures)`, () => {
      expect(s.corpus.length).toBeGreaterThan(0);
      let slowest = 0;
      const once = (text: string): void => {
        count(s.name);
        const { value, ms } = timed(() => s.run(text));
        slowest = Math.max(slowest, ms);
        s.check(value);
      };
      // the fixtures themselves first, then every pathological text, then mutations
      for (const t of [...s.corpus, ...PATHOLOGICAL_TEXTS]) once(t);
      fc.assert(
        fc.property(fc.constantFrom(...s.corpus).chain(mutatedText), (text) => once(text)),
        runs(200),
      );
      expect(slowest, `the slowest input of ${s.name} took ${slowest.toFixed(0)} ms`).toBeLessThan(SLOW_MS);
    });
  }
});
