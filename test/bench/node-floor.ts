// What this machine allows any Node program, beside the benchmark's latency rows: Node starting
// and ending with nothing to do, and a bare HTTPS GET of the same answer (no config file, no
// validation, no formatting), beside `xenherdctl where`; a bare HTTPS server with a fixed answer,
// beside the where API under load. A figure only means something against these: the part above
// them is xenherd's own.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A script that asks the controller's /v1/where for PATTERN and prints the first Dom0: nothing else. */
const BARE_GET = `'use strict';
const https = require('node:https');
const { readFileSync } = require('node:fs');
const u = new URL(process.env.XENHERD_URL);
https.get({ host: u.hostname, port: u.port, path: '/v1/where?pattern=' + encodeURIComponent(process.argv[2]), ca: readFileSync(process.env.XENHERD_CA), headers: { authorization: 'Bearer ' + process.env.XENHERD_TOKEN } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => (body += d));
  res.on('end', () => process.stdout.write(JSON.parse(body).matches[0].places[0].host + '\\n'));
});
`;

/** Writes the bare GET into DIR; returns its path (run it as \`node PATH PATTERN\` with XENHERD_URL, _TOKEN, _CA set). */
export function writeBareGet(dir: string): string {
  const file = join(dir, 'bare-https-get.cjs');
  writeFileSync(file, BARE_GET);
  return file;
}

/**
 * This machine's NODE_EXTRA_CA_CERTS ('' when it sets none). Node parses that whole file (here the
 * system's ~140 CAs) as every process starts, before any of our code runs; a Debian 12 machine
 * sets none, and a systemd unit without Environment= never has one. Start-up rows are measured
 * without it and show the figure with it beside.
 */
export const MACHINE_EXTRA_CAS = process.env['NODE_EXTRA_CA_CERTS'] ?? '';

/** ENV for a child process without NODE_EXTRA_CA_CERTS (empty is unset to Node). */
export const withoutExtraCas = <E extends Readonly<Record<string, string | undefined>>>(env: E): E & { NODE_EXTRA_CA_CERTS: string } => ({ ...env, NODE_EXTRA_CA_CERTS: '' });

/** `node -e 0`'s arguments: Node's own start and exit. */
export const NODE_IDLE_ARGS = ['-e', '0'] as const;

/**
 * A process of its own, on this machine, answering every HTTPS GET with a fixed small JSON body
 * (with the controller's certificate): what a request costs under the benchmark's load when
 * nothing is ingested and nothing is looked up.
 */
const BARE_SERVER = `'use strict';
const https = require('node:https');
const { readFileSync } = require('node:fs');
const body = JSON.stringify({ matches: [{ name: 'vm0-0', places: [{ host: 'bench0' }] }] });
const server = https.createServer({ key: readFileSync(process.argv[2]), cert: readFileSync(process.argv[3]) }, (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface BareServer {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startBareServer(dir: string, tls: { readonly key: string; readonly cert: string }): Promise<BareServer> {
  const file = join(dir, 'bare-https-server.cjs');
  writeFileSync(file, BARE_SERVER);
  const child = spawn(process.execPath, [file, tls.key, tls.cert], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('close', (code) => reject(new Error(`the bare HTTPS server ended (exit ${String(code)}) before listening`)));
  });
  return {
    url: `https://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
