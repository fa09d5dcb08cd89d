import { describe, expect, it } from 'vitest';
import { reverseVerdict } from '../../../agent/decide/reverse-verdict.js';
import { readPeerAnswer, type PeerRun } from '../../../agent/migrate/peer-answer.js';
import { askMigrate2, askStatus } from '../../../agent/migrate/peer-requests.js';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import { lineSplitter } from '../../../shared/text/lines.js';
import { ok } from '../../../shared/result.js';

/** A peer printing STDOUT, split into lines as the ssh adapter splits them, then ending with EXITCODE. */
const printing =
  (stdout: string, exitCode: number | null): PeerRun =>
  async (onLine) => {
    const split = lineSplitter((l) => onLine(l, 'stdout'));
    split.push(stdout);
    split.end();
    return ok({ exitCode, stdout, stderr: '' });
  };

const PROGRESS = '{"v":1,"t":"progress","line":"migrating web1 to xen1"}';
const CUT_RESULT = '{"v":1,"t":"result","ok":tr';
const CUT = `the peer's answer ended mid-line (${JSON.stringify(CUT_RESULT)}): the peer process was killed or the connection dropped`;

const portsOf = (stdout: string, exitCode: number | null): MigrationPorts =>
  ({ peer: { ask: (peer: string, _command: string, onLine?: Parameters<typeof readPeerAnswer>[2]) => readPeerAnswer(peer, printing(stdout, exitCode), onLine) } }) as unknown as MigrationPorts;

describe("a peer's answer whose last line was cut mid-write (the peer process killed)", () => {
  it('keeps the lines before the cut and says the cut as what it is', async () => {
    const seen: string[] = [];
    const r = await readPeerAnswer('xen2', printing(`${PROGRESS}\n${CUT_RESULT}`, null), (l) => seen.push(l.t));
    expect(r).toEqual(ok({ exitCode: null, lines: [{ v: 1, t: 'progress', line: 'migrating web1 to xen1' }], stderr: '', cut: CUT }));
    expect(seen).toEqual(['progress']);
  });

  it('lets a reverse go on to where its domU is: askMigrate2 answers, the verdict names the cut', async () => {
    const progress: string[] = [];
    const a = await askMigrate2(portsOf(`${PROGRESS}\n${CUT_RESULT}`, null), 'xen2', 'web1', (l) => progress.push(l));
    if ('code' in a) throw new Error(`askMigrate2 failed: ${a.message}`);
    expect(progress).toEqual(['migrating web1 to xen1']);
    expect(a.result).toBeNull();
    const facts = { name: 'web1', host: 'xen1', peer: 'xen2', exitCode: a.answer.exitCode, result: a.result, stderr: a.answer.stderr, cut: a.answer.cut };
    expect(reverseVerdict({ ...facts, here: true, there: false })).toEqual({ kind: 'back', warning: `xen2's migrate2 ended badly (${CUT}), but web1 runs here and no longer there` });
    expect(reverseVerdict({ ...facts, here: false, there: null })).toEqual({
      kind: 'failed',
      error: { code: 'XH_ERR_MIGRATION_UNKNOWN', message: `xen2's migrate2 ended without an exit status (${CUT}): web1 is not here and xen2 cannot be asked where it is; the ledger is unchanged: run \`xenherd-agent status web1\` on xen2 once it answers` },
    });
  });

  it('a status answer cut before its end names the cut, not another program', async () => {
    const s = await askStatus(portsOf('{"v":1,"t":"sta', null), 'xen2', 'web1');
    expect(s).toEqual({ code: 'XH_ERR_PROTOCOL', message: `xen2 gave no answer to status web1 (exit null: the peer's answer ended mid-line ("{\\"v\\":1,\\"t\\":\\"sta"): the peer process was killed or the connection dropped)` });
  });

  it("a line not of the protocol that is whole (its newline, or more after it) is still another program's answer", async () => {
    const other = `xen2 answered "Welcome to xen2", not xenherd's peer protocol: is an older xenherd-agent installed there? Upgrade it`;
    for (const stdout of ['Welcome to xen2\n', `Welcome to xen2\n${PROGRESS}`, `Welcome to xen2\n${CUT_RESULT}`]) {
      expect(await readPeerAnswer('xen2', printing(stdout, 0))).toEqual({ ok: false, error: { code: 'XH_ERR_PROTOCOL', message: other } });
    }
    expect(await readPeerAnswer('xen2', printing(`${PROGRESS}\n`, 0))).toEqual(ok({ exitCode: 0, lines: [{ v: 1, t: 'progress', line: 'migrating web1 to xen1' }], stderr: '' }));
  });
});
