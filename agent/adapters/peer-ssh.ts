import { lineSplitter } from '../../shared/text/lines.js';
import { peerKeys, type HostKeys } from './known-hosts.js';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostKeyMismatch, knownHostsMissing, skippedLines, migrationKeyRefused, peerNameUnresolved, UNRESOLVED_CODES } from './peer-ssh-refusals.js';
import { readRegularFileSync, readRegularSync } from '../../shared/fs/regular-file.js';
import { realClock } from '../../shared/clock/real-clock.js';
// ssh2 is CommonJS: Node's ESM loader (dev tools run the sources as ESM) finds no named exports in it
import ssh2 from 'ssh2';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

const { Client } = ssh2;

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
  /** to connect and authenticate (default 20 s) */
  readonly timeoutMs?: number;
  /**
   * Bound on the whole command (default none: a migrate2 runs as long as its migration, and
   * cutting it midway would leave the domU's state undefined). Short commands should set one.
   */
  readonly commandTimeoutMs?: number;
  /**
   * ssh keepalive interval; three unanswered in a row end the call (default 15 s). This is what
   * notices a peer that vanished without a TCP reset (power loss), however long the command.
   */
  readonly keepaliveMs?: number;
}

export interface PeerExecResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /**
   * Set when the connection dropped after the command was sent and before it ended, in words: the
   * peer may have run it to its end or be running it still, so what it printed is kept and the
   * caller asks the peer where things stand, rather than take the command as never run.
   */
  readonly dropped?: string;
}

/**
 * A migrate2 answer is a few lines plus relayed `xl migrate` progress: kilobytes. 4 MiB per
 * stream is far above that and bounds what a broken or hostile peer can make us hold.
 */
const MAX_OUTPUT_CHARS = 4 * 1024 * 1024;
/** onLine receives at most this much at once (xc progress redraws one line with CR, no newline) */
const MAX_LINE_CHARS = 64 * 1024;

/** Why P's address does not resolve (the getaddrinfo code), or null when it does or is an IP address. */
async function unresolved(p: PeerTarget, resolveName: (name: string) => Promise<unknown>): Promise<string | null> {
  if (isIP(p.address) !== 0) return null;
  try {
    await resolveName(p.address);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== undefined && UNRESOLVED_CODES.includes(code) ? code : null;
  }
}

/** RESOLVENAME: the name lookup (getaddrinfo, as ssh's); tests give one that touches no DNS server. */
export function execOnPeer(
  p: PeerTarget,
  command: string,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  resolveName: (name: string) => Promise<unknown> = lookup,
): Promise<Result<PeerExecResult, XhError>> {
  let privateKey: Buffer;
  let known: HostKeys;
  const key = readRegularSync(p.keyFile, { symlinks: 'follow', maxBytes: 64 * 1024 });
  if (!key.ok) return Promise.resolve(err({ code: 'XH_ERR_FILE', message: `${key.error.message}: cannot read the migration key; run \`xenherd-agent keys setup ${p.name}\`` }));
  privateKey = Buffer.from(key.value.text);
  const hosts = readRegularFileSync(p.knownHostsFile, { symlinks: 'follow' });
  if (!hosts.ok) {
    const fix = hosts.error.errno === 'ENOENT' ? `; ${knownHostsMissing(p)}` : '';
    return Promise.resolve(err({ code: 'XH_ERR_FILE', message: `${hosts.error.message}: cannot read the peers' host keys${fix}` }));
  }
  known = peerKeys(hosts.value, p);
  const keyscan = `ssh-keyscan -p ${p.port} ${p.address}`;
  if (known.trusted.length === 0) {
    const revoked = known.revoked.map((r) => `${p.knownHostsFile}:${r.line}`).join(', ');
    // a name that does not resolve has no key to scan either, and is the thing to mend first
    return unresolved(p, resolveName).then((code) => {
      if (code !== null) return err({ code: 'XH_ERR_PEER_UNREACHABLE', message: peerNameUnresolved(p, code) });
      return err({
        code: 'XH_ERR_FILE',
        message: revoked
          ? `${p.name}: every host key listed for it in ${p.knownHostsFile} is marked @revoked (${revoked}) and is never accepted: if the peer was re-keyed, add its new key (${keyscan}) after checking it`
          : `${p.name}: no host key in ${p.knownHostsFile}${skippedLines(p.knownHostsFile, known.skipped)}: ${known.skipped.length === 0 ? '' : `remove ${known.skipped.length === 1 ? 'that line' : 'those lines'} and `}add the peer's key (${keyscan}) after checking it`,
      });
    });
  }
  /** set when the peer shows a revoked key: ssh2 then reports only "verification failed" */
  let refusedKey: string | null = null;
  /** set when it shows a key not listed for it: ssh2 says no more than for a revoked one */
  let unlistedKey: string | null = null;
  const verifyHost = (key: Buffer): boolean => {
    const r = known.revoked.find((k) => k.blob.equals(key));
    if (r) refusedKey = `${p.name}: the host key it shows is marked @revoked in ${p.knownHostsFile}:${r.line} and is never accepted: if the peer was re-keyed, add its new key (${keyscan}) after checking it`;
    const trusted = r === undefined && known.trusted.some((k) => k.equals(key));
    if (!trusted && r === undefined) unlistedKey = hostKeyMismatch(p, key, known);
    return trusted;
  };
  // ssh2's own words for these two name neither the key nor the file to fix
  const failure = (e: Error & { level?: string }): XhError => {
    if (refusedKey) return { code: 'XH_ERR_FILE', message: refusedKey };
    if (unlistedKey) return { code: 'XH_ERR_PEER_UNREACHABLE', message: unlistedKey };
    if (e.level === 'client-authentication') return { code: 'XH_ERR_PEER_UNREACHABLE', message: migrationKeyRefused(p) };
    return { code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name} (${p.address}:${p.port}): ${e.message}` };
  };
  return new Promise((resolve) => {
    const c = new Client();
    let settled = false;
    const out = { stdout: '', stderr: '' };
    const splitters = {
      stdout: lineSplitter((l) => onLine(l, 'stdout'), { maxLineChars: MAX_LINE_CHARS, overflow: 'split' }),
      stderr: lineSplitter((l) => onLine(l, 'stderr'), { maxLineChars: MAX_LINE_CHARS, overflow: 'split' }),
    };
    const done = (r: Result<PeerExecResult, XhError>): void => {
      if (settled) return;
      settled = true;
      cancelCommandTimer?.();
      c.end();
      // end() waits for the peer's reply, which a silent peer never sends
      c.destroy();
      resolve(r);
    };
    // What the peer prints is kept whole (the caller parses it), up to a bound: more is refused,
    // never cut. A line is handed to onLine in pieces of at most MAX_LINE_CHARS, so an endless
    // line costs no more memory than that; only the total bound turns it into a failure.
    const feed = (stream: 'stdout' | 'stderr', chunk: string, flush = false): void => {
      if (settled) return;
      if (out[stream].length + chunk.length > MAX_OUTPUT_CHARS) {
        done(err({ code: 'XH_ERR_TOOL_OUTPUT', message: `${p.name}: the command printed more than ${MAX_OUTPUT_CHARS / (1024 * 1024)} MiB on ${stream}; refused rather than cut, connection closed` }));
        return;
      }
      out[stream] += chunk;
      splitters[stream].push(chunk);
      if (flush) splitters[stream].end();
    };
    const cancelCommandTimer =
      p.commandTimeoutMs === undefined
        ? undefined
        : realClock.schedule(p.commandTimeoutMs, () => done(err({ code: 'XH_ERR_TIMEOUT', message: `${p.name}: no end of \`${command}\` after ${p.commandTimeoutMs} ms; connection closed` })));
    /** the command reached the peer: a connection lost from here on is a drop mid-command */
    let sent = false;
    const lost = (why: string): Result<PeerExecResult, XhError> => {
      feed('stdout', '', true);
      feed('stderr', '', true);
      return ok({ exitCode: null, stdout: out.stdout, stderr: out.stderr, dropped: `the connection to ${p.name} dropped while \`${command}\` ran there (${why}): it may have ended there or still run` });
    };
    c.on('ready', () => {
      c.exec(command, (e, ch) => {
        if (e) return done(err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name}: cannot run the command: ${e.message}` }));
        sent = true;
        let exitCode: number | null = null;
        ch.on('exit', (code: number | null) => (exitCode = code));
        // decoded as a stream: a UTF-8 character split across two packets stays whole
        ch.setEncoding('utf8');
        ch.stderr.setEncoding('utf8');
        ch.on('data', (d: string) => feed('stdout', d));
        ch.stderr.on('data', (d: string) => feed('stderr', d));
        ch.on('close', () => {
          feed('stdout', '', true);
          feed('stderr', '', true);
          done(ok({ exitCode, stdout: out.stdout, stderr: out.stderr }));
        });
      });
    });
    c.on('error', (e) => done(sent ? lost(e.message) : err(failure(e))));
    c.on('close', () => done(sent ? lost('connection closed') : err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p.name}: connection closed before the command ended` })));
    c.connect({
      host: p.address,
      port: p.port,
      username: p.user,
      privateKey,
      readyTimeout: p.timeoutMs ?? 20_000,
      keepaliveInterval: p.keepaliveMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier: verifyHost,
    });
  });
}
