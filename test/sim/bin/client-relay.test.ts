import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { err, exit, out, ToolRequestSchema, type ToolRequest } from '../daemon/protocol.js';
import { CLIENT_SOURCE } from './client-source.js';

// The fake tool against a stand-in daemon that answers chosen lines: what the tool sends and
// prints, byte for byte, whatever the text holds.
let dir = '';
let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A daemon answering each connection's request line with LINES; it records each request it read. */
function daemon(lines: readonly string[]): { socket: string; requests: ToolRequest[]; listening: Promise<void> } {
  dir = mkdtempSync(join(tmpdir(), 'xh-relay-'));
  const socket = join(dir, 'sim.sock');
  const requests: ToolRequest[] = [];
  server = createServer((c) => {
    let buf = '';
    let answered = false;
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0 || answered) return;
      answered = true;
      requests.push(ToolRequestSchema.parse(JSON.parse(buf.slice(0, nl))));
      c.end(lines.join(''));
    });
  });
  const listening = new Promise<void>((r) => server?.listen(socket, () => r()));
  return { socket, requests, listening };
}

function runTool(name: string, argv: readonly string[], socket: string): Promise<{ stdout: Buffer; stderr: Buffer; code: number }> {
  const file = join(dir, name);
  writeFileSync(file, CLIENT_SOURCE);
  chmodSync(file, 0o755);
  return new Promise((resolve) => {
    execFile(file, [...argv], { encoding: 'buffer', env: { ...process.env, XENHERD_SIM_SOCKET: socket, XENHERD_SIM_HOST: 'xen1' } }, (e, stdout, stderr) => {
      resolve({ stdout, stderr, code: e ? Number((e as { code?: number }).code) : 0 });
    });
  });
}

const TRICKY = 'quote " backslash \\ slash / nl \n cr \r tab \t bell \x07 nul \x00 del \x7f é 日本 😀 \\u0041 "}\n';

describe('the fake tool relays the daemon exactly', () => {
  it('sends its name, host and argv whatever they hold, and prints stdout and stderr byte for byte, exit code as sent', async () => {
    const d = daemon([out('Name ID\n'), out(TRICKY), err(`warning: ${TRICKY}`), out(''), exit(3)]);
    await d.listening;
    const argv = ['list', '-l', 'a "b" c\\d', 'tab\there', 'é日本😀', '', '\x01'];
    const r = await runTool('xl', argv, d.socket);
    expect(d.requests).toEqual([{ host: 'xen1', tool: 'xl', argv }]);
    expect(r.stdout).toEqual(Buffer.from(`Name ID\n${TRICKY}`, 'utf8'));
    expect(r.stderr).toEqual(Buffer.from(`warning: ${TRICKY}`, 'utf8'));
    expect(r.code).toBe(3);
  });

  it('writes a lone surrogate as U+FFFD (as Node writes it), a pair as one character', async () => {
    const d = daemon([out('a\ud800b\udc00c\ud83d\ude00d'), exit(0)]);
    await d.listening;
    const r = await runTool('drbdadm', ['role'], d.socket);
    expect(r.stdout).toEqual(Buffer.from('a\ufffdb\ufffdc😀d', 'utf8'));
    expect(r.code).toBe(0);
  });

  it('a large answer arrives whole; a closed socket with no exit code ends with 141', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `line ${i} with "quotes" and \\ and \t\n`).join('');
    const d = daemon([out(big)]);
    await d.listening;
    const r = await runTool('xl', ['info'], d.socket);
    expect(r.stdout.toString('utf8')).toBe(big);
    expect(r.code).toBe(141);
  });

  it('a line it does not know ends it with 70 and says so; a missing daemon is 127', async () => {
    const d = daemon(['{"z":1}\n']);
    await d.listening;
    const r = await runTool('xl', ['list'], d.socket);
    expect(r.code).toBe(70);
    expect(r.stderr.toString()).toContain('xl: the fleet simulator sent a line this stand-in does not know: {"z":1}');
    const gone = await runTool('xl', ['list'], join(dir, 'nothing.sock'));
    expect(gone.code).toBe(127);
    expect(gone.stderr.toString()).toContain('xl: fleet simulator unreachable');
  });
});
