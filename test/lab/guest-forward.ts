import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the Dom0s reach a server on the host's loopback (the controller): QEMU's user network runs
 * with restrict=on (a Dom0 reaches nothing on the host or beyond but what is forwarded), so the
 * usual "10.0.2.2 is the host's loopback" does not hold. A `guestfwd` rule is an explicit forward
 * that restrict=on lets through: a TCP connection from a Dom0 to GUEST_ADDR:port runs a command on
 * the host whose stdin/stdout is that connection. slirp refuses guestfwd on 10.0.2.2 itself (its
 * own address), hence another address of the slirp network.
 *
 * The command is a tiny node bridge to 127.0.0.1:port, one per connection (the `chardev:` form
 * would carry a single connection, opened when QEMU starts). slirp splits the command on spaces
 * (no shell) and starts it in a session of its own, so the bridge ends by itself: when either side
 * closes. Its path lies in the lab's temp dir, so the lab's leak check would see one left behind.
 */
export const GUEST_ADDR = '10.0.2.100';

export interface GuestForward {
  /** the port on the host's 127.0.0.1 and on GUEST_ADDR inside the Dom0s (the same number) */
  readonly port: number;
}

// stdout/stderr are the guest's TCP stream: the bridge must never print anything
const BRIDGE = `'use strict';
const net = require('net');
const up = net.connect(Number(process.argv[2]), '127.0.0.1');
const quit = () => process.exit(0);
up.on('error', quit);
process.stdin.on('error', quit);
process.stdout.on('error', quit);
process.stdin.pipe(up);
up.pipe(process.stdout);
// the server is done: let what it sent last reach the guest, then go
up.on('close', () => setTimeout(quit, 1000));
`;

/** Writes the bridge into dir; returns the `guestfwd=…` option for the user netdev. */
export function guestForwardOption(dir: string, f: GuestForward): string {
  const bridge = join(dir, 'guestfwd-bridge.cjs');
  writeFileSync(bridge, BRIDGE, { mode: 0o644 });
  if (/\s|,/.test(bridge + process.execPath)) throw new Error(`guestfwd: slirp splits the command on spaces and QEMU options on commas: ${process.execPath} ${bridge}`);
  return `guestfwd=tcp:${GUEST_ADDR}:${f.port}-cmd:${process.execPath} ${bridge} ${f.port}`;
}
