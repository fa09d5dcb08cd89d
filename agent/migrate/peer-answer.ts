import type { XhError } from '../../shared/errors.js';
import { parseJsonLine } from '../../shared/protocol/json-line.js';
import { PeerLineSchema, type PeerLine } from '../../shared/protocol/peer.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { PeerAnswer } from './ports.js';

/** What running the request gives: its exit status, all of stdout, stderr. */
export interface PeerOutput {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** the connection dropped mid-command, in words (agent/adapters/peer-ssh.ts) */
  readonly dropped?: string;
}

/** Runs the request, handing each stdout line (no newline) to ONLINE as it comes. */
export type PeerRun = (onLine: (line: string, stream: 'stdout' | 'stderr') => void) => Promise<Result<PeerOutput, XhError>>;

/**
 * The peer's forced command's answer read line by line as it comes. A last line with no newline
 * after it that is not a protocol line was cut mid-write (the peer process killed, the connection
 * gone): the lines before it were written whole and stand, and the cut is said as what it is.
 * Refusing the whole answer for it took a killed peer for another program and ended a reverse
 * before it looked where its domU had gone. A line not of the protocol with more after it, or
 * ended by its newline, is still another program's answer.
 */
export async function readPeerAnswer(peer: string, run: PeerRun, onLine?: (line: PeerLine) => void): Promise<Result<PeerAnswer, XhError>> {
  const lines: PeerLine[] = [];
  let bad: string | null = null;
  let moreAfterBad = false;
  const r = await run((line, stream) => {
    if (stream !== 'stdout' || line === '') return;
    if (bad !== null) {
      moreAfterBad = true;
      return;
    }
    const parsed = parseJsonLine(line, PeerLineSchema);
    if (!parsed.ok) {
      bad = line;
      return;
    }
    lines.push(parsed.value);
    onLine?.(parsed.value);
  });
  if (!r.ok) return r;
  const answer = { exitCode: r.value.exitCode, lines, stderr: r.value.stderr, ...(r.value.dropped !== undefined ? { dropped: r.value.dropped } : {}) };
  if (bad === null) return ok<PeerAnswer>(answer);
  const quoted = JSON.stringify((bad as string).slice(0, 200));
  if (!moreAfterBad && !r.value.stdout.endsWith('\n')) return ok<PeerAnswer>({ ...answer, cut: cutAnswer(quoted) });
  return err<XhError>({ code: 'XH_ERR_PROTOCOL', message: `${peer} answered ${quoted}, not xenherd's peer protocol: is an older xenherd-agent installed there? Upgrade it` });
}

const cutAnswer = (quoted: string): string => `the peer's answer ended mid-line (${quoted}): the peer process was killed or the connection dropped`;
