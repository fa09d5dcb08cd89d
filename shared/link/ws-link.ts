import type WebSocket from 'ws';
import { CLOSE, type Link } from './link.js';

/** ws reports protocol violations as errors with these codes before it closes the socket. */
const closeCodeForWsError = (code: string | undefined): number =>
  code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? CLOSE.tooBig : code?.startsWith('WS_ERR_') ? CLOSE.protocol : CLOSE.dropped;

/** A close reason travels in one control frame: at most 123 bytes. */
const shortReason = (reason: string): string => {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
};

/**
 * The Link over a `ws` WebSocket (either end). Text frames only: a binary frame closes the link
 * as a protocol error. onClose reports why the link ended as this end knows it: the code and
 * reason it closed with itself, the transport error ws saw (e.g. an oversized message), or the
 * peer's close frame.
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
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    for (const h of messageHandlers) h(text);
  });
  ws.on('error', (e: Error & { code?: string }) => {
    why ??= { code: closeCodeForWsError(e.code), reason: e.message };
  });
  ws.on('close', (code, reason) => {
    if (closed) return;
    closed = true;
    const r = why ?? { code, reason: reason.toString('utf8') || (code === CLOSE.dropped ? 'connection lost' : '') };
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
