import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as netServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeCa } from '../../../controller/pki/certificate.js';
import { REQUEST_TIMEOUT_MS } from '../../../controller/ctl/client.js';
import { MAX_ANSWER_BYTES } from '../../../controller/ctl/read-body.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { ctlFor } from './ctl-bed.js';

// Servers that are not (well-behaved) controllers, on 127.0.0.1 port 0: what xenherdctl does with
// an answer that stalls, one that never ends, one far too large, a proxy's 401, a port without TLS.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

/** The real clock with timers 100 times faster: xenherdctl's 10 s deadline passes in 100 ms. */
const fast: Clock = { ...realClock, schedule: (ms, fn) => realClock.schedule(ms / 100, fn), sleep: (ms) => realClock.sleep(ms / 100) };
const DEADLINE_MS = REQUEST_TIMEOUT_MS / 100;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The fast clock, but its timers start only once the server has written the headers out: on a
 * loaded machine 100 ms could otherwise pass before they do, and the deadline would end the
 * request before the case under test (headers came, then the body stalled) exists.
 */
function fastAfter(written: Promise<void>): Clock {
  return {
    ...fast,
    schedule: (ms, fn) => {
      let cancel: (() => void) | null = null;
      let cancelled = false;
      void written.then(() => {
        if (!cancelled) cancel = fast.schedule(ms, fn);
      });
      return () => {
        cancelled = true;
        cancel?.();
      };
    },
  };
}

/** Headers and the start of a body, then nothing (or, with EVERY_MS, a byte now and then, forever); WRITTEN: once they are out. */
const stalling =
  (everyMs: number | null, written: () => void = () => undefined) =>
  (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"at":1,', () => written());
    if (everyMs === null) return;
    const t = setInterval(() => res.write(' '), everyMs);
    res.on('close', () => clearInterval(t));
  };

describe('xenherdctl: one deadline for a question and its whole answer', () => {
  it('check: headers, then a stalled body: UNKNOWN, exit 3, within the deadline', async () => {
    let out = (): void => undefined;
    const written = new Promise<void>((r) => (out = r));
    const url = await serve(stalling(null, () => out()));
    const started = Date.now();
    const r = await ctlFor(null, undefined, { clock: fastAfter(written) })(['check'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 2_000);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at http:\/\/127\.0\.0\.1:\d+: the answer did not complete within 10 s \(its headers came, then it stalled\)/);
  });

  it('a body that trickles a byte at a time never resets the deadline: 87', async () => {
    let out = (): void => undefined;
    const written = new Promise<void>((r) => (out = r));
    const url = await serve(stalling(DEADLINE_MS / 10, () => out()));
    const r = await ctlFor(null, undefined, { clock: fastAfter(written) })(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(r.code).toBe(87);
    expect(r.stderr).toMatch(/XH_ERR_CONTROLLER_UNREACHABLE: .*did not complete within 10 s/);
  });

  it('a streamed command outlives the deadline: its progress takes as long as it takes', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ type: 'accepted', commandId: 'c1', operationId: 't1', host: 'xen1' })}\n`);
      let n = 0;
      const t = setInterval(() => {
        n++;
        if (n <= 3) res.write(`${JSON.stringify({ type: 'progress', line: `step ${n}` })}\n`);
        else {
          clearInterval(t);
          res.end(`${JSON.stringify({ type: 'result', ok: true, code: null, message: 'web01 migrated', detail: null })}\n`);
        }
      }, DEADLINE_MS);
    });
    const r = await ctlFor(null, undefined, { clock: fast })(['migrate', 'web01', 'xen2'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('migrate web01: sent to the agent of xen1 (operation t1)\nstep 1\nstep 2\nstep 3\nweb01 migrated\n');
  });
});

describe('xenherdctl: an answer larger than any controller sends is refused, not read whole', () => {
  it(`a body beyond ${MAX_ANSWER_BYTES / 1024 / 1024} MiB (no content-length): 89, and check UNKNOWN`, async () => {
    const url = await serve((_req, res) => {
      let sent = 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const more = (): void => {
        while (sent <= MAX_ANSWER_BYTES + chunk.length && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const ctl = ctlFor(null);
    const r = await ctl(['domains'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(r.code).toBe(89);
    expect(r.stderr).toMatch(/XH_ERR_PROTOCOL: the answer is larger than 64 MiB, far more than any controller answer: is http:\/\/127\.0\.0\.1:\d+ a xenherd controller\?\n$/);
    const c = await ctl(['check'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(c.code).toBe(3);
    expect(c.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_PROTOCOL: the answer is larger than 64 MiB/);
  });

  it('a content-length beyond the cap is refused before a byte of the body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * 1024 * 1024) });
      res.write('{');
    });
    const r = await ctlFor(null, undefined, { clock: fast })(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(r.code).toBe(89);
    expect(r.stderr).toMatch(/larger than 64 MiB/);
  });
});

describe('xenherdctl: refusals and ports that are not the controller', () => {
  it('a 401 or 403 from a proxy (no controller error body): 88, saying it did not come from a controller', async () => {
    for (const [status, body] of [
      [401, '<html><body>401 Authorization Required</body></html>'],
      [403, '{"message":"forbidden"}'],
    ] as const) {
      const url = await serve((_req, res) => {
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(body);
      });
      const r = await ctlFor(null)(['where', 'web01'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect(r.code, r.stderr).toBe(88);
      expect(r.stderr).toMatch(new RegExp(`XH_ERR_AUTH: http://127\\.0\\.0\\.1:\\d+ refused the request with HTTP ${status}, an answer that did not come from a xenherd controller: .*a proxy`));
      const m = await ctlFor(null)(['migrate', 'web01'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect(m.code).toBe(88);
    }
  });

  it("another status without the controller's error body stays a protocol error (89)", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(502);
      res.end('bad gateway');
    });
    expect((await ctlFor(null)(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN })).code).toBe(89);
  });

  it("a newer controller's refusal with an error code this xenherdctl does not know: 89, its code and words said, and which side is older", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'XH_ERR_SOMETHING_NEW', message: 'web01 is pinned to xen1 (xenherdctl pin --off web01)' } }));
    });
    for (const argv of [['where', 'web01'], ['migrate', 'web01', 'xen2', '--dry-run']]) {
      const r = await ctlFor(null)(argv, { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect([r.code, r.stderr]).toEqual([
        89,
        'xenherdctl: XH_ERR_PROTOCOL: the controller refused the request with XH_ERR_SOMETHING_NEW, an error code this xenherdctl does not know (the controller is newer: upgrade xenherdctl to read it): web01 is pinned to xen1 (xenherdctl pin --off web01)\n',
      ]);
    }
  });

  it('https:// to a plain HTTP port or an ssh port: 87, "does not speak TLS", one line without OpenSSL internals', async () => {
    const http = await serve((_req, res) => res.end('{}'));
    const open = new Set<Socket>();
    const sshLike = netServer((s: Socket) => {
      open.add(s);
      s.on('error', () => undefined);
      s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    });
    await new Promise<void>((r) => sshLike.listen(0, '127.0.0.1', r));
    onTestFinished(() => {
      for (const s of open) s.destroy();
      return new Promise<void>((r) => sshLike.close(() => r()));
    });
    const ssh = `https://127.0.0.1:${(sshLike.address() as AddressInfo).port}`;
    // with a CA file xenherdctl makes the TLS connection itself (verified-tls.ts): the same words
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-notls-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ca.crt'), makeCa('xenherd test CA', Date.now()).certPem);
    const cases = [http.replace('http:', 'https:'), ssh].flatMap((url) => [{ url }, { url, ca: join(dir, 'ca.crt') }]);
    for (const { url, ca } of cases) {
      const r = await ctlFor(null)(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN, ...(ca ? { XENHERD_CA: ca } : {}) });
      expect(r.code, r.stderr).toBe(87);
      expect(r.stderr).toMatch(/^xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at https:\/\/127\.0\.0\.1:\d+: the port does not speak TLS \(is XENHERD_URL the controller's https URL and port\?\)\n$/);
      expect(r.stderr).not.toMatch(/openssl|\\x0a|certificate/);
    }
  });
});
