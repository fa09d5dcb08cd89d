import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type * as z from 'zod';
import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import { ApiErrorSchema, CTL_API_PREFIX } from '../../shared/protocol/ctl-api-base.js';
import { err, ok, type Result } from '../../shared/result.js';
import { lineSplitter } from '../../shared/text/lines.js';
import type { CtlConfig } from './config.js';
import { MAX_ANSWER_BYTES, readBody, type BodyFailure } from './read-body.js';
import { firstRealIssue, readTolerantly } from './tolerant-read.js';
import { connectVerified, describeSocketError } from './verified-tls.js';
import { isHangUp, nodeTlsHint, olderControllerRefusal, PLAIN_TO_TLS_HINT, unreachable, unreadRefusal, type CtlError } from './client-errors.js';
import { namingTokenSent } from './token-sent.js';
import { TRY_EVERY_ADDRESS } from '../../shared/dual-stack.js';

export type { CtlError } from './client-errors.js';

/**
 * An NDJSON answer's events: their schema, which one is the last, and a bound on a line. Each
 * command brings its own (job-follow.ts, migrate.ts), so that the client loads no schema of
 * answers a command does not ask for.
 */
export interface EventStream<E, L extends E> {
  readonly schema: z.ZodType<E>;
  readonly isLast: (e: E) => e is L;
  /** what a line that fails the schema is not, e.g. "a job event" */
  readonly what: string;
  readonly maxLineChars: number;
}

/**
 * How long xenherdctl waits for the controller: for a question (get, post), its whole answer,
 * body included; for a streamed command or job, until its response starts (its progress may
 * then take hours).
 */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How long a plan is waited for: at thousands of Dom0s a rebalance of many moves takes the
 * controller tens of seconds to work out (in slices, answering everyone else meanwhile).
 */
export const PLAN_TIMEOUT_MS = 120_000;

/** The controller chosen among a primary and its standbys (controller-choice.ts). */
export interface Chosen {
  readonly url: URL;
  /** why it is not simply the primary, or that another controller hears Dom0s too; null: nothing to say */
  readonly note: string | null;
}

/** How a client with standbyUrls chooses its controller: the hosts NEEDED are an operating command's (controller-probe.ts). */
export type ChooseController = (needed: readonly string[]) => Promise<Result<Chosen, CtlError>>;

/**
 * xenherdctl's side of the HTTP API: every answer is parsed with its schema, a newer controller's
 * fields this build does not know left out (tolerant-read.ts); a connection
 * failure is XH_ERR_CONTROLLER_UNREACHABLE, a refused token XH_ERR_AUTH, any other API error
 * keeps the controller's code.
 */
export class CtlClient {
  /** the controller asked: the config's url until a choice among standbys is made */
  private target: URL;
  private needed: readonly string[] = [];
  private choosing: Promise<Result<Chosen, CtlError>> | null = null;
  private refusedCertificate = false;

  /**
   * With C's standbyUrls, CHOOSE picks the controller before the first request, once for all
   * the requests of a command (one command's questions must all go to one controller), and a
   * note about the choice goes to NOTE as a line. Without standbys nothing is chosen: the one
   * controller is asked directly.
   */
  constructor(
    private readonly c: CtlConfig,
    private readonly clock: Clock,
    private readonly choice: { readonly choose: ChooseController; readonly note: (line: string) => void } | null = null,
    /** a question's bound (connect, TLS and answer): shorter for the probes among standbys (controller-probe.ts) */
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.target = c.url;
  }

  /**
   * An operating command's hosts, set before its first request: the controller chosen among
   * standbys is then one that hears these hosts, not merely one that hears the most Dom0s.
   */
  needs(hosts: readonly string[]): this {
    this.needed = hosts;
    return this;
  }

  /**
   * A request failed as XH_ERR_CONTROLLER_UNREACHABLE because the controller's certificate was
   * refused: it was reached, so a standby is not asked in its place (controller-choice.ts).
   */
  get certificateRefused(): boolean {
    return this.refusedCertificate;
  }

  /** Standby controllers are configured: a job cut by its controller's death may be taken up by one. */
  get hasStandbys(): boolean { return (this.c.standbyUrls ?? []).length > 0; }

  /** The controller chosen among standbys, once chosen (null: not yet, or no standby configured). */
  async chosen(): Promise<Chosen | null> {
    const r = await this.choosing;
    return r?.ok === true ? r.value : null;
  }

  /** Chooses the controller once, before the first request (see the constructor). */
  private async ready(): Promise<Result<void, CtlError>> {
    const choice = this.choice;
    if (choice === null || (this.c.standbyUrls ?? []).length === 0) return ok(undefined);
    this.choosing ??= choice.choose(this.needed).then((r) => {
      if (r.ok) {
        this.target = r.value.url;
        if (r.value.note !== null) choice.note(`xenherdctl: ${r.value.note}\n`);
      }
      return r;
    });
    const r = await this.choosing;
    return r.ok ? ok(undefined) : r;
  }

  async get<T>(path: string, schema: z.ZodType<T>): Promise<Result<T, CtlError>> {
    const r = await this.ready();
    return r.ok ? this.ask('GET', path, null, schema) : r;
  }

  /** POST PATH with a JSON body; the answer parsed with SCHEMA, waited for up to TIMEOUTMS. */
  async post<T>(path: string, body: unknown, schema: z.ZodType<T>, timeoutMs = this.timeoutMs): Promise<Result<T, CtlError>> {
    const r = await this.ready();
    return r.ok ? this.ask('POST', path, JSON.stringify(body), schema, timeoutMs).then((a) => (a.ok ? a : err(olderControllerRefusal(a.error, body)))) : r;
  }

  /**
   * One question: connecting, the request and the whole answer share one deadline. A server
   * that sends its headers and then stalls (or trickles) would otherwise hold xenherdctl, and
   * `check` under Nagios, forever.
   */
  private async ask<T>(method: 'GET' | 'POST', path: string, body: string | null, schema: z.ZodType<T>, timeoutMs = this.timeoutMs): Promise<Result<T, CtlError>> {
    const deadline = new AbortController();
    const cancel = this.clock.schedule(timeoutMs, () => deadline.abort());
    try {
      const res = await this.send(method, path, body, deadline.signal);
      if (!res.ok) return deadline.signal.aborted ? err(unreachable(this.target, `no answer within ${timeoutMs / 1000} s`)) : res;
      const text = await this.bodyOf(res.value, deadline.signal, timeoutMs);
      return text.ok ? this.parse(res.value.statusCode ?? 0, text.value, schema) : text;
    } finally {
      cancel();
    }
  }

  /** RES's body (bounded by MAX_ANSWER_BYTES and SIGNAL), or the error that says why not. */
  private async bodyOf(res: IncomingMessage, signal: AbortSignal, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Result<string, XhError>> {
    const r = await readBody(res, MAX_ANSWER_BYTES, signal);
    if (r.ok) return r;
    // the deadline wins over the connection's end it caused
    const why: BodyFailure = signal.aborted && r.error !== 'too-big' ? 'late' : r.error;
    if (why === 'too-big') {
      return err({ code: 'XH_ERR_PROTOCOL', message: `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, far more than any controller answer: is ${this.target.origin} a xenherd controller?` });
    }
    if (why === 'late') return err(unreachable(this.target, `the answer did not complete within ${timeoutMs / 1000} s (its headers came, then it stalled)`));
    return err(unreachable(this.target, 'the connection closed mid-answer'));
  }

  /**
   * POST PATH with BODY, answered by an NDJSON stream (a job, a command): onEvent for every event
   * (the last included); resolves with the last, or with closedEarly when the connection closes
   * before it.
   */
  async stream<E, L extends E>(path: string, body: unknown, events: EventStream<E, L>, onEvent: (e: E) => void, closedEarly: XhError, signal?: AbortSignal): Promise<Result<L, XhError>> {
    const chosen = await this.ready();
    if (!chosen.ok) return chosen;
    const res = await this.send('POST', path, JSON.stringify(body), signal);
    if (!res.ok) return res;
    const r = res.value;
    if (r.statusCode !== 200) {
      // an error is an answer like any other: bounded in size and time
      const deadline = new AbortController();
      const cancel = this.clock.schedule(REQUEST_TIMEOUT_MS, () => deadline.abort());
      const text = await this.bodyOf(r, deadline.signal);
      cancel();
      if (!text.ok) return text;
      const e = this.parse(r.statusCode ?? 0, text.value, ApiErrorSchema);
      return e.ok ? err({ code: 'XH_ERR_PROTOCOL', message: 'the controller answered an error without saying which' }) : err(olderControllerRefusal(e.error, body));
    }
    return new Promise((resolve) => {
      let last: L | null = null;
      let bad: XhError | null = null;
      // a controller ends the stream of a token revoked meanwhile with an API error as its last line
      let refused: XhError | null = null;
      const lines = lineSplitter(
        (line) => {
          const e = parseWith(events.schema, line);
          const refusal = e === null ? parseWith(ApiErrorSchema, line) : null;
          if (refusal !== null) refused ??= namingTokenSent(refusal.error, this.c);
          else if (e === null) bad ??= { code: 'XH_ERR_PROTOCOL', message: `the controller streamed a line that is not ${events.what}: ${JSON.stringify(line.slice(0, 200))}` };
          else {
            if (events.isLast(e)) last = e;
            onEvent(e);
          }
        },
        { maxLineChars: events.maxLineChars, onOverflow: () => (bad ??= { code: 'XH_ERR_PROTOCOL', message: `the controller streamed a line longer than ${events.maxLineChars} characters` }) },
      );
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => lines.push(chunk));
      const end = (): void => resolve(last !== null ? ok(last) : err(refused ?? bad ?? closedEarly));
      r.on('end', end);
      r.on('error', end);
      r.on('aborted', end);
    });
  }

  private send(method: 'GET' | 'POST', path: string, body: string | null, signal?: AbortSignal): Promise<Result<IncomingMessage, CtlError>> {
    const url = new URL(`${CTL_API_PREFIX}${path}`, this.target);
    const https = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      let req: ClientRequest | null = null;
      const settle = (r: Result<IncomingMessage, CtlError>): void => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(r);
      };
      // ends a connection still in its handshake too: the process would otherwise wait on it
      const giveUp = new AbortController();
      const cancel = this.clock.schedule(this.timeoutMs, () => {
        settle(err(unreachable(this.target, `no answer within ${this.timeoutMs / 1000} s`)));
        req?.destroy();
        giveUp.abort();
      });
      const start = (socket: TLSSocket | null): void => {
        req = (https ? httpsRequest : httpRequest)(url, {
          method,
          headers: { authorization: `Bearer ${this.c.token}`, ...(body !== null ? { 'content-type': 'application/json' } : {}) },
          ...(socket !== null ? { createConnection: () => socket } : TRY_EVERY_ADDRESS),
          ...(signal ? { signal } : {}),
        });
        req.on('response', (res) => settle(ok(res)));
        req.on('error', (e: NodeJS.ErrnoException) => {
          const tls = nodeTlsHint(e);
          // only before an answer (settle ignores later errors): a plaintext server that answered is one
          const plain = !https && isHangUp(e) ? PLAIN_TO_TLS_HINT : '';
          if (tls !== '') this.refusedCertificate = true;
          settle(err(unreachable(this.target, `${describeSocketError(e)}${tls}${plain}`)));
        });
        req.end(body ?? undefined);
      };
      // With a CA file, the certificate is checked before a byte (the token) is written.
      if (!https || this.c.ca === null) return start(null);
      signal?.addEventListener('abort', () => giveUp.abort(), { once: true });
      void connectVerified(url, this.c.ca, () => this.clock.now(), giveUp.signal).then((c) => {
        if (!c.ok) {
          if (c.error.kind !== 'untrusted') return settle(err(unreachable(this.target, c.error.message)));
          this.refusedCertificate = true;
          const e = unreachable(this.target, `${c.error.message} (${c.error.fix})`);
          return settle(err(c.error.time === undefined ? e : { ...e, certificateTime: c.error.time }));
        }
        if (settled) return void c.value.destroy();
        start(c.value);
      });
    });
  }

  private parse<T>(status: number, body: string, schema: z.ZodType<T>): Result<T, XhError> {
    let raw: unknown;
    let json = true;
    try {
      raw = JSON.parse(body);
    } catch {
      json = false;
    }
    if (status !== 200) {
      const e = json ? readTolerantly(ApiErrorSchema, raw) : null;
      if (e?.success) return err(namingTokenSent(e.data.error, this.c));
      // a proxy's (or a login page's) refusal is still a refusal of the credentials, not a protocol error
      if (status === 401 || status === 403) return err({ code: 'XH_ERR_AUTH', message: `${this.target.origin} refused the request with HTTP ${status}, an answer that did not come from a xenherd controller: check what stands in front of it (a proxy?), and that XENHERD_URL is the controller's own https://HOST:PORT` });
    }
    if (!json) return err({ code: 'XH_ERR_PROTOCOL', message: `the controller answered HTTP ${status} with something that is not JSON: is ${this.target.origin} a xenherd controller?` });
    if (status !== 200) return err(unreadRefusal(status, raw));
    const r = readTolerantly(schema, raw);
    if (!r.success) {
      const issue = firstRealIssue(r.error);
      return err({ code: 'XH_ERR_PROTOCOL', message: `the controller's answer is not what this xenherdctl expects (${issue?.path.join('.')}: ${issue?.message}): are both the same version?` });
    }
    return ok(r.data);
  }
}

function parseWith<T>(schema: z.ZodType<T>, line: string): T | null {
  try {
    const r = readTolerantly(schema, JSON.parse(line));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
