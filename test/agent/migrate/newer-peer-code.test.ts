import { describe, expect, it } from 'vitest';
import { reverseVerdict } from '../../../agent/decide/reverse-verdict.js';
import { parseJsonLine } from '../../../shared/protocol/json-line.js';
import { PeerLineSchema, type PeerLine } from '../../../shared/protocol/peer.js';

// A pair of Dom0s is upgraded one at a time, and each release may add error codes: the asking
// agent reads a newer peer's answer line by line (agent/migrate/process-ports.ts ask), one
// unreadable line failing the whole answer.
const lines = (stdout: string): PeerLine[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => {
      const r = parseJsonLine(l, PeerLineSchema);
      if (!r.ok) throw new Error(`${l}: ${JSON.stringify(r.error)}`);
      return r.value;
    });

const NEWER_REFUSAL = [
  '{"v":1,"t":"progress","line":"checking web1"}',
  '{"v":1,"t":"result","ok":false,"code":"XH_ERR_SOMETHING_NEW","message":"web1 is pinned to xen2 (xenherd-agent pin --off web1)","operationId":null}',
].join('\n');

describe('a newer peer’s answer with an error code this agent does not know', () => {
  it('is read whole: the refusal keeps its words, the code named, as XH_ERR_INTERNAL (its outcome not guessed from the word)', () => {
    const [progress, result] = lines(NEWER_REFUSAL);
    expect(progress).toEqual({ v: 1, t: 'progress', line: 'checking web1' });
    expect(result).toEqual({
      v: 1,
      t: 'result',
      ok: false,
      code: 'XH_ERR_INTERNAL',
      message: 'web1 is pinned to xen2 (xenherd-agent pin --off web1) (error code XH_ERR_SOMETHING_NEW, which this build does not know: the sender is newer; upgrade this side to read it)',
      operationId: null,
    });
  });

  it('a reverse judges where its domU is from it: not here, the peer’s words and code in the failure', () => {
    const result = lines(NEWER_REFUSAL).find((l) => l.t === 'result');
    if (result?.t !== 'result') throw new Error('no result line');
    const v = reverseVerdict({ name: 'web1', host: 'xen1', peer: 'xen2', here: false, there: null, exitCode: 1, result, stderr: '' });
    expect(v).toEqual({ kind: 'failed', error: { code: 'XH_ERR_INTERNAL', message: expect.stringMatching(/^xen2 did not migrate web1 back: web1 is pinned to xen2 .*error code XH_ERR_SOMETHING_NEW.*; web1 is not here, the ledger is unchanged$/) } });
  });

  it('codes it knows read as before, and a code not of the catalog’s form is still refused', () => {
    const known = '{"v":1,"t":"result","ok":false,"code":"XH_ERR_REFUSED","message":"no","operationId":null}';
    expect(lines(known)).toEqual([{ v: 1, t: 'result', ok: false, code: 'XH_ERR_REFUSED', message: 'no', operationId: null }]);
    expect(lines('{"v":1,"t":"result","ok":true,"code":null,"message":"ok","operationId":"op1"}')).toEqual([{ v: 1, t: 'result', ok: true, code: null, message: 'ok', operationId: 'op1' }]);
    for (const code of ['xh_err_refused', 'ERR_NEW', 'XH_ERR_\u001b[2J', `XH_ERR_${'A'.repeat(49)}`]) {
      expect(parseJsonLine(`{"v":1,"t":"result","ok":false,"code":${JSON.stringify(code)},"message":"no","operationId":null}`, PeerLineSchema).ok).toBe(false);
    }
  });
});
