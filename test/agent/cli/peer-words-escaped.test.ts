import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { autostartCommand } from '../../../agent/cli/autostart.js';
import { fail } from '../../../agent/cli/common.js';
import { listenControl } from '../../../agent/control/server.js';
import type { MigrationPorts, PeerAnswer } from '../../../agent/migrate/ports.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { peerRefusal } from '../../../shared/protocol/peer.js';
import { ok } from '../../../shared/result.js';
import type { Fleet } from '../../harness/fleet.js';
import { awayOnXen2, runMove } from '../../harness/migration-bed.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// `xenherd-agent reverse web1` on xen1, and xen2 (a Dom0 someone else controls, or any program
// behind its migration key) answers with words meant for the operator's terminal: an OSC that
// retitles the window, a screen clear, a right-to-left override hiding what follows. The agent's
// error line printed them raw, so the peer's words could repaint what the operator read.
let fleet: Fleet;
afterEach(async () => fleet?.stop());

const HOSTILE = 'no\u001b]0;owned\u0007\u001b[2J\u001b[Hall fine\u202e';

async function reverseErrorLine(answer: PeerAnswer, json = false): Promise<{ code: number; stderr: string; stdout: string }> {
  fleet = await awayOnXen2();
  const p = simMigrationPorts({ sim: fleet.sim }, 'xen1');
  const ask: MigrationPorts['peer']['ask'] = async (peer, command, onLine) => (command === 'migrate2 web1' ? ok(answer) : p.peer.ask(peer, command, onLine));
  const ports: MigrationPorts = { ...p, peer: { ...p.peer, ask } };
  const { result: done } = await runMove(fleet, ports, { kind: 'reverse' });
  if (done.ok) throw new Error('the reverse was expected to fail');
  let stderr = '';
  let stdout = '';
  const code = fail(done.error, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} }, json);
  return { code, stderr, stdout };
}

describe("a peer's words in an agent command's error line", () => {
  it("its refusal's message: shown escaped, the code and the rest kept", async () => {
    const r = await reverseErrorLine({ exitCode: 77, lines: [peerRefusal('XH_ERR_REFUSED', HOSTILE)], stderr: '' });
    expect(r.code).toBe(77);
    expect(r.stderr).toBe('xenherd-agent: XH_ERR_REFUSED: xen2 did not migrate web1 back: no\\x1b]0;owned\\x07\\x1b[2J\\x1b[Hall fine\\u{202e}; web1 is not here, the ledger is unchanged\n');
    expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('with --json: the answer on stdout has them as JSON escapes, and parses to what the peer said', async () => {
    const r = await reverseErrorLine({ exitCode: 77, lines: [peerRefusal('XH_ERR_REFUSED', HOSTILE)], stderr: '' }, true);
    expect(r.stdout).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(r.stdout).toContain('\\u202e');
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, code: 'XH_ERR_REFUSED', message: `xen2 did not migrate web1 back: ${HOSTILE}; web1 is not here, the ledger is unchanged` });
  });

  it('the last line of its stderr, when it gave no answer: likewise', async () => {
    const r = await reverseErrorLine({ exitCode: 1, lines: [], stderr: `first\n${HOSTILE}\n` });
    expect(r.stderr).toContain('XH_ERR_PROTOCOL: ');
    expect(r.stderr).toContain('no\\x1b]0;owned\\x07\\x1b[2J\\x1b[Hall fine\\u{202e}');
    expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });
});

describe("the running agent's refusal in `xenherd-agent autostart`'s error line", () => {
  it('shown escaped as every other error line is (it may quote a tool or a peer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xh-peer-words-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, 'agent.sock');
    const server = await listenControl(socket, async () => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_REFUSED', message: HOSTILE } }));
    if (!server.ok) throw new Error(server.error.message);
    onTestFinished(() => server.value.close());
    let stderr = '';
    const code = await autostartCommand.run(['status', '--socket', socket], { stdout: () => undefined, stderr: (t) => void (stderr += t), env: {} });
    expect(code).toBe(77);
    expect(stderr).toBe('xenherd-agent: XH_ERR_REFUSED: no\\x1b]0;owned\\x07\\x1b[2J\\x1b[Hall fine\\u{202e}\n');
  });
});
