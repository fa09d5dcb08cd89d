import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** where the client connects instead: 127.0.0.1 on a port the OS picked */
  readonly port: number;
  /** forward nothing more and close nothing: a peer powered off, no TCP reset */
  freeze(): void;
  /** destroy both ends of every connection so far: a connection cut between the Dom0s; new ones still pass */
  cut(): void;
  /** cut, and stop listening */
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback to 127.0.0.1:TARGETPORT (an ssh server), for tests that lose the
 * connection between two Dom0s at a moment they choose.
 */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    track(inbound);
    track(outbound);
    inbound.on('data', (d) => void (frozen || outbound.write(d)));
    outbound.on('data', (d) => void (frozen || inbound.write(d)));
    // either end closing closes the other, as one TCP connection would; frozen, nothing passes
    inbound.on('close', () => void (frozen || outbound.destroy()));
    outbound.on('close', () => void (frozen || inbound.destroy()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const cut = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    freeze: () => void (frozen = true),
    cut,
    close: () => {
      cut();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
