import type WebSocket from 'ws';
import { CLOSE, type Link } from './link.js';

/**
 * ws reports a frame it cannot take as an error with a WS_ERR_ code, then closes the socket. Only
 * WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (above maxPayload) is a limit this end chose. Every other (a
 * mask, RSV bit, opcode or FIN bit wrong, a control frame too long, invalid UTF-8 or close code, a
 * length past 2^53, too many fragments) is bytes that arrived wrong: corrupted on the way or sent
 * by a bug, which nobody decided and which the next link need not meet. Those end the link as a
 * drop does, retried as one: CLOSE.protocol would have the agent wait as for a refusal.
 */
const closeCodeForWsError = (code: string | undefined): number => (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? CLOSE.tooBig : CLOSE.dropped);

/**
 * The close frame ws sends when its end cannot take a frame carries that error's status and no
 * reason; every close of ours with these codes says why. So one of them without a reason is the
 * peer's WebSocket finding our bytes wrong on arrival: a fault on the way, read as a drop.
 */
const PEER_FRAME_FAULTS: readonly number[] = [1002, 1007, 1008];
const peerClose = (code: number, reason: string): { code: number; reason: string } =>
  reason === '' && PEER_FRAME_FAULTS.includes(code)
    ? { code: CLOSE.dropped, reason: `the peer's WebSocket could not read a frame from here (it closed with ${code})` }
    : { code, reason: reason || (code === CLOSE.dropped ? 'connection lost' : '') };

/** A close reason travels in one control frame: at most 123 bytes. */
const shortReason = (reason: string): string => {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
};

/**
 * The Link over a `ws` WebSocket (either end). Text frames only: a binary frame closes the link
 * as a protocol error. onClose reports why the link ended as this end knows it: the code and
 * reason it closed with itself, the transport error ws saw (e.g. an oversized message, or a
 * frame that arrived wrong, as a drop), or the peer's close frame.
 */
export function wsLink(ws: WebSocket, remote: string): Link {
  const messageHandlers: Array<(text: string) => void> = [];
  const closeHandlers: Array<(code: number, reason: string) => void> = [];
  let why: { code: number; reason: string } | null = null;
  let closed = false;
  ws.on('message', (data, isBinary) => {
    if (closed) return;
    if (isBinary) {
      link.close(CLOSE.protocol, 'binary frames are not part of the agent link protocol');
      return;
    }
    // a Buffer (ws's default) decoded where it lies: Buffer.from would copy every frame first
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    for (const h of messageHandlers) h(text);
  });
  ws.on('error', (e: Error & { code?: string }) => {
    why ??= { code: closeCodeForWsError(e.code), reason: e.message };
  });
  ws.on('close', (code, reason) => {
    if (closed) return;
    closed = true;
    const r = why ?? peerClose(code, reason.toString('utf8'));
    for (const h of closeHandlers) h(r.code, r.reason);
  });
  const link: Link = {
    remote,
    send: (text) => {
      if (!closed && ws.readyState === ws.OPEN) ws.send(text);
    },
    close: (code, reason) => {
      if (closed) return;
      why ??= { code, reason };
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, shortReason(reason));
    },
    onMessage: (h) => void messageHandlers.push(h),
    onClose: (h) => void closeHandlers.push(h),
  };
  return link;
}
