/**
 * The fake tool every bin dir holds under each tool name: plain CommonJS so Node starts it fast.
 * It sends {host, tool, argv} to the sim daemon's unix socket and replays what comes back:
 * {"o": text} to stdout, {"e": text} to stderr, {"x": code} to exit. Streaming tools just keep
 * receiving lines; a closed socket ends the process (exit 141 if no exit code came).
 */
export const CLIENT_SOURCE = `#!/usr/bin/env node
'use strict';
const net = require('net');
const path = require('path');
const sock = process.env.XENHERD_SIM_SOCKET;
const host = process.env.XENHERD_SIM_HOST;
const tool = path.basename(process.argv[1]);
if (!sock || !host) {
  process.stderr.write(tool + ': XENHERD_SIM_SOCKET and XENHERD_SIM_HOST must be set (fleet simulator)\\n');
  process.exit(127);
}
let code = null;
let buf = '';
let pending = 0;
let ended = false;
const done = () => { if (ended && pending === 0) process.exit(code === null ? 141 : code); };
const write = (stream, text) => { pending++; stream.write(text, () => { pending--; done(); }); };
const c = net.createConnection(sock, () => c.write(JSON.stringify({ host, tool, argv: process.argv.slice(2) }) + '\\n'));
c.setEncoding('utf8');
c.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (!line) continue;
    const m = JSON.parse(line);
    if (m.o !== undefined) write(process.stdout, m.o);
    if (m.e !== undefined) write(process.stderr, m.e);
    if (m.x !== undefined) code = m.x;
  }
});
c.on('error', (e) => { process.stderr.write(tool + ': fleet simulator unreachable: ' + e.message + '\\n'); code = code === null ? 127 : code; ended = true; done(); });
c.on('close', () => { ended = true; done(); });
process.on('SIGTERM', () => process.exit(143));
process.on('SIGINT', () => process.exit(130));
`;
