import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { autostartCommand } from '../../../agent/cli/autostart.js';
import { reconciledLine } from '../../../agent/cli/reconcile.js';
import { listenControl } from '../../../agent/control/server.js';
import { acceptXlList } from '../../../agent/decide/ledger-accept.js';
import { emptyLedger, withAway } from '../../../agent/state/ledger.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { xlListed } from '../listed-domains.js';

// The success lines of `reconcile` and `autostart` quote words this command did not write (the
// ledger's records, the running daemon's answer): shown escaped, as every other human line is, so
// they cannot retitle the window, clear the screen or reverse what follows.
const HOSTILE = 'xen2\u001b]0;owned\u0007\u001b[2J\u202e';
const ESCAPED = 'xen2\\x1b]0;owned\\x07\\x1b[2J\\u{202e}';

describe("words from the ledger or the daemon in a command's success line", () => {
  it('reconcile: what the ledger recorded is shown escaped', () => {
    const ledger = withAway(emptyLedger('xen1'), 'web1', { home: 'xen1', currentHost: HOSTILE, since: 't0', operationId: 'op1', reason: 'manual' });
    const v = acceptXlList({ ledger, running: xlListed('Domain-0', 'web1'), toolstack: 'xl', homedHere: new Set(['web1']), name: 'web1', home: null, now: 't1', operationId: 'reconcile-x' });
    if (v.kind !== 'change') throw new Error(`expected a change, got ${v.kind}`);
    const line = reconciledLine('xen1', 'xl', v, 'reconcile-x');
    expect(line).toBe(`xen1: away-but-running-here: web1 runs here: its away record (to ${ESCAPED}) is dropped (xl list confirms; operation reconcile-x)\n`);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it("autostart: the running agent's message with a granted request is shown escaped", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xh-daemon-words-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, 'agent.sock');
    const server = await listenControl(socket, async () => ({ v: CONTROL_PROTOCOL_VERSION, ok: true, message: `reloaded ${HOSTILE}` }));
    if (!server.ok) throw new Error(server.error.message);
    onTestFinished(() => server.value.close());
    let stdout = '';
    const code = await autostartCommand.run(['reload', '--socket', socket], { stdout: (t) => void (stdout += t), stderr: () => undefined, env: {} });
    expect(code).toBe(0);
    expect(stdout).toBe(`reloaded ${ESCAPED}\n`);
  });
});
