import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * One command on a peer Dom0 over ssh (ssh2, the dedicated key). The peer's sshd runs
 * `xenherd-agent migrate2 --peer THIS-HOST` as the forced command; the command string here is
 * only what that forced command sees as SSH_ORIGINAL_COMMAND. The peer's host key must be in
 * the known_hosts file: an unknown or changed key is refused.
 */
export interface PeerTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly keyFile: string;
  readonly knownHostsFile: string;
  readonly timeoutMs?: number;
}

export interface PeerExecResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Keys (raw blobs) the known_hosts file lists for any of these names. */
export function knownKeys(text: string, names: readonly string[]): Buffer[] {
  const keys: Buffer[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('@')) continue;
    const [hosts, , blob] = t.split(/\s+/);
    if (!hosts || !blob) continue;
    if (hosts.split(',').some((h) => names.includes(h))) keys.push(Buffer.from(blob, 'base64'));
  }
  return keys;
}

export function execOnPeer(p: PeerTarget, command: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<Result<PeerExecResult, XhError>> {
  let privateKey: Buffer;
  let known: Buffer[];
  try {
    privateKey = readFileSync(p.keyFile);
  } catch (e) {
    return Promise.resolve(err({ code: 'XH_ERR_FILE', message: `${p.keyFile}: cannot read the migration key (${(e as NodeJS.ErrnoException).code ?? e}); run \`xenherd-agent keys setup ${p.name}\`` }));
  }
  try {
    const names = [p.name, p.address, `[${p.address}]:${p.port}`, `[${p.name}]:${p.port}`];
    known = knownKeys(readFileSync(p.knownHostsFile, 'utf8'), names);
  } catch (e) {
    return Promise.resolve(err({ code: 'XH_ERR_FILE', message: `${p.knownHostsFile}: cannot read the peers' host keys (${(e as NodeJS.ErrnoException).code ?? e})` }));
  }
  if (known.length === 0) {
    return Promise.resolve(err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name}: no host key in ${p.knownHostsFile}: add the peer's key (ssh-keyscan -p ${p.port} ${p.address}) after checking it` }));
  }
  return new Promise((resolve) => {
    const c = new Client();
    let settled = false;
    let stdout = '';
    let stderr = '';
    const bufs = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr', chunk: string, flush = false): void => {
      bufs[stream] += chunk;
      let nl: number;
      while ((nl = bufs[stream].indexOf('\n')) >= 0) {
        onLine(bufs[stream].slice(0, nl), stream);
        bufs[stream] = bufs[stream].slice(nl + 1);
      }
      if (flush && bufs[stream] !== '') {
        onLine(bufs[stream], stream);
        bufs[stream] = '';
      }
    };
    const done = (r: Result<PeerExecResult, XhError>): void => {
      if (settled) return;
      settled = true;
      c.end();
      resolve(r);
    };
    c.on('ready', () => {
      c.exec(command, (e, ch) => {
        if (e) return done(err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name}: cannot run the command: ${e.message}` }));
        let exitCode: number | null = null;
        ch.on('exit', (code: number | null) => (exitCode = code));
        ch.on('data', (d: Buffer) => {
          stdout += d.toString();
          feed('stdout', d.toString());
        });
        ch.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          feed('stderr', d.toString());
        });
        ch.on('close', () => {
          feed('stdout', '', true);
          feed('stderr', '', true);
          done(ok({ exitCode, stdout, stderr }));
        });
      });
    });
    c.on('error', (e) => done(err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name} (${p.address}:${p.port}): ${e.message}` })));
    c.on('close', () => done(err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name}: connection closed before the command ended` })));
    c.connect({
      host: p.address,
      port: p.port,
      username: p.user,
      privateKey,
      readyTimeout: p.timeoutMs ?? 20_000,
      hostVerifier: (key: Buffer) => known.some((k) => k.equals(key)),
    });
  });
}
