import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import { ApiErrorSchema, CommandEventSchema, CTL_API_PREFIX, type CommandEvent, type CommandRequest } from '../../shared/protocol/ctl-api.js';
import { err, ok, type Result } from '../../shared/result.js';
import { lineSplitter } from '../../shared/text/lines.js';
import { JobEventSchema, type JobEnd, type JobEvent, type JobRequest } from '../../shared/protocol/ctl-jobs.js';
import type { CtlConfig } from './config.js';

/** A command event is a progress line or a result: far below this. */
const MAX_EVENT_CHARS = 64 * 1024;
/** A job's plan event lists every move of a drain: a few MB at most. */
const MAX_JOB_EVENT_CHARS = 16 * 1024 * 1024;

/** How long xenherdctl waits for the controller to answer (a command: until its response starts). */
export const REQUEST_TIMEOUT_MS = 10_000;

const unreachable = (url: URL, why: string): XhError => ({ code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `cannot reach the controller at ${url.origin}: ${why}` });

/**
 * xenherdctl's side of the HTTP API: every answer is parsed with its schema; a connection
 * failure is XH_ERR_CONTROLLER_UNREACHABLE, a refused token XH_ERR_AUTH, any other API error
 * keeps the controller's code.
 */
export class CtlClient {
  constructor(
    private readonly c: CtlConfig,
    private readonly clock: Clock,
  ) {}

  async get<T>(path: string, schema: z.ZodType<T>): Promise<Result<T, XhError>> {
    const res = await this.send('GET', path, null);
    if (!res.ok) return res;
    const body = await readAll(res.value);
    if (body === null) return err(unreachable(this.c.url, 'the connection closed mid-answer'));
    return this.parse(res.value.statusCode ?? 0, body, schema);
  }

  /** POST PATH with a JSON body; the answer parsed with SCHEMA. */
  async post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<Result<T, XhError>> {
    const res = await this.send('POST', path, JSON.stringify(body));
    if (!res.ok) return res;
    const text = await readAll(res.value);
    if (text === null) return err(unreachable(this.c.url, 'the connection closed mid-answer'));
    return this.parse(res.value.statusCode ?? 0, text, schema);
  }

  /** POST /v1/jobs: onEvent for every NDJSON line; resolves with the `end` event (or an error). */
  async job(req: JobRequest, onEvent: (e: JobEvent) => void, signal?: AbortSignal): Promise<Result<JobEnd, XhError>> {
    const res = await this.send('POST', '/jobs', JSON.stringify(req), signal);
    if (!res.ok) return res;
    const r = res.value;
    if (r.statusCode !== 200) {
      const e = this.parse(r.statusCode ?? 0, (await readAll(r)) ?? '', ApiErrorSchema);
      return e.ok ? err({ code: 'XH_ERR_PROTOCOL', message: 'the controller answered an error without saying which' }) : e;
    }
    return new Promise((resolve) => {
      let end: JobEnd | null = null;
      let bad: XhError | null = null;
      const lines = lineSplitter(
        (line) => {
          const e = parseWith(JobEventSchema, line);
          if (e === null) bad ??= { code: 'XH_ERR_PROTOCOL', message: `the controller streamed a line that is not a job event: ${JSON.stringify(line.slice(0, 200))}` };
          else {
            if (e.type === 'end') end = e;
            onEvent(e);
          }
        },
        { maxLineChars: MAX_JOB_EVENT_CHARS, onOverflow: () => (bad ??= { code: 'XH_ERR_PROTOCOL', message: `the controller streamed a line longer than ${MAX_JOB_EVENT_CHARS} characters` }) },
      );
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => lines.push(chunk));
      const done = (): void => resolve(end ? ok(end) : err(bad ?? { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `the connection to the controller closed before the ${req.kind} ended: it goes on there; run the same command again to follow it` }));
      r.on('end', done);
      r.on('error', done);
      r.on('aborted', done);
    });
  }

  /** POST /v1/commands: calls onEvent for every NDJSON line; resolves after the `result` line (or an error). */
  async command(req: CommandRequest, onEvent: (e: CommandEvent) => void): Promise<Result<Extract<CommandEvent, { type: 'result' }>, XhError>> {
    const res = await this.send('POST', '/commands', JSON.stringify(req));
    if (!res.ok) return res;
    const r = res.value;
    if (r.statusCode !== 200) {
      const body = await readAll(r);
      const e = this.parse(r.statusCode ?? 0, body ?? '', ApiErrorSchema);
      return e.ok ? err({ code: 'XH_ERR_PROTOCOL', message: 'the controller answered an error without saying which' }) : e;
    }
    return new Promise((resolve) => {
      let result: Extract<CommandEvent, { type: 'result' }> | null = null;
      let bad: XhError | null = null;
      const lines = lineSplitter(
        (line) => {
          const e = parseLine(line);
          if (e === null) bad ??= { code: 'XH_ERR_PROTOCOL', message: `the controller streamed a line that is not a command event: ${JSON.stringify(line.slice(0, 200))}` };
          else if (e.type === 'result') result = e;
          else onEvent(e);
        },
        { maxLineChars: MAX_EVENT_CHARS, onOverflow: () => (bad ??= { code: 'XH_ERR_PROTOCOL', message: `the controller streamed a line longer than ${MAX_EVENT_CHARS} characters` }) },
      );
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => lines.push(chunk));
      const end = (): void => {
        if (result) resolve(ok(result));
        else resolve(err(bad ?? { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `the connection to the controller closed before the command's result: it may still be running; check \`xenherdctl where ${req.name}\`` }));
      };
      r.on('end', end);
      r.on('error', end);
      r.on('aborted', end);
    });
  }

  private send(method: 'GET' | 'POST', path: string, body: string | null, signal?: AbortSignal): Promise<Result<IncomingMessage, XhError>> {
    const url = new URL(`${CTL_API_PREFIX}${path}`, this.c.url);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: Result<IncomingMessage, XhError>): void => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(r);
      };
      const req = request(url, {
        method,
        headers: { authorization: `Bearer ${this.c.token}`, ...(body !== null ? { 'content-type': 'application/json' } : {}) },
        ...(this.c.ca !== null ? { ca: this.c.ca } : {}),
        ...(signal ? { signal } : {}),
      });
      const cancel = this.clock.schedule(REQUEST_TIMEOUT_MS, () => {
        settle(err(unreachable(this.c.url, `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
        req.destroy();
      });
      req.on('response', (res) => settle(ok(res)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const tls = /CERT|TLS|SSL|SELF_SIGNED|VERIFY|ALTNAME/.test(e.code ?? '') ? " (the certificate is not trusted: XENHERD_CA must be the controller's tls/ca.crt)" : '';
        settle(err(unreachable(this.c.url, `${e.code ? `${e.code}: ` : ''}${e.message}${tls}`)));
      });
      req.end(body ?? undefined);
    });
  }

  private parse<T>(status: number, body: string, schema: z.ZodType<T>): Result<T, XhError> {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return err({ code: 'XH_ERR_PROTOCOL', message: `the controller answered HTTP ${status} with something that is not JSON: is ${this.c.url.origin} a xenherd controller?` });
    }
    if (status !== 200) {
      const e = ApiErrorSchema.safeParse(raw);
      if (e.success) return err(e.data.error);
      return err({ code: 'XH_ERR_PROTOCOL', message: `the controller answered HTTP ${status} without an error code` });
    }
    const r = schema.safeParse(raw);
    if (!r.success) return err({ code: 'XH_ERR_PROTOCOL', message: `the controller's answer is not what this xenherdctl expects (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}): are both the same version?` });
    return ok(r.data);
  }
}

function readAll(res: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(null));
    res.on('aborted', () => resolve(null));
  });
}

function parseWith<T>(schema: z.ZodType<T>, line: string): T | null {
  try {
    const r = schema.safeParse(JSON.parse(line));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const parseLine = (line: string): CommandEvent | null => parseWith(CommandEventSchema, line);
