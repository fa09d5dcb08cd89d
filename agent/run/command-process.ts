import { spawn } from 'node:child_process';
import * as z from 'zod';
import { ErrorCodeSchema } from '../../shared/errors.js';
import type { ChildCommand } from '../core/effects.js';
import { lineSplitter } from '../../shared/text/lines.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { clipped } from '../../shared/text/printable.js';

/**
 * A controller's migrate, reverse, shutdown or start, run by this agent's own CLI in a child
 * process: the same code an operator's `xenherd-agent migrate` (or `move-stop`, `move-start`)
 * runs, with the same lock file and the same hold on the daemon. A child because the migration's
 * ssh client (ssh2) needs WebAssembly, which the daemon runs without to stay small, and because a
 * command that crashes must not take the daemon with it. The reverse holds too: a restart or
 * upgrade stops only the daemon (the unit's KillMode=process), and the child, its pipes broken,
 * carries on to the end of its move and records it, unheard (agent/cli/broken-pipe.ts).
 */
export interface SelfCommand {
  /** the node binary and the arguments that run this agent's bundle (without the daemon's WebAssembly switch) */
  readonly node: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the config file the daemon was started with (--config), so its commands read the same one */
  readonly config?: string;
}

const CliAnswerSchema = z.union([
  z.object({ ok: z.literal(true), message: z.string() }).loose(),
  z.object({ ok: z.literal(false), code: ErrorCodeSchema, message: z.string() }).loose(),
]);
type CliAnswer = z.infer<typeof CliAnswerSchema>;

const MAX_RELAYED_LINE = 1_000;
const MAX_RELAYED_LINES = 2_000;

/** How the CLI ends on an error: `xenherd-agent: CODE: message` on stderr, after its JSON answer. */
const ERROR_LINE = /^xenherd-agent: XH_ERR_[A-Z0-9_]+: /;

const relayable = (l: string): boolean => l !== '' && l.length <= MAX_RELAYED_LINE;

/**
 * The stderr lines held back from the first error line on, less the CLI's closing complaint when
 * it only repeats the failed answer: the controller shows that answer as the command's result,
 * and relaying it as progress too printed every refusal twice on the operator's terminal.
 */
export function heldToRelay(held: readonly string[], answer: CliAnswer | null): readonly string[] {
  if (answer === null || answer.ok) return held;
  const echo = `xenherd-agent: ${answer.code}: ${clipped(answer.message, 4_000)}`.split('\n').filter(relayable);
  return echo.length === held.length && echo.every((l, i) => l === held[i]) ? [] : held;
}

/** The CLI words of each op: every value is schema-checked by the link and passed as its own argument. */
export function argvFor(c: ChildCommand): string[] {
  switch (c.op) {
    case 'migrate':
      return ['migrate', c.name, ...(c.target ? [c.target] : []), '--reason', c.reason, '--operation-id', c.operationId, '--json'];
    case 'reverse':
      return ['reverse', c.name, '--json'];
    case 'shutdown':
      return ['move-stop', c.name, '--to', c.target, '--reason', 'drain', '--operation-id', c.operationId, '--json'];
    case 'start':
      return ['move-start', c.name, '--from', c.from, '--operation-id', c.operationId, '--json'];
  }
}

/** The child's whole argv: this agent's bundle, the op's arguments, and the daemon's --config. */
export const childArgv = (self: SelfCommand, c: ChildCommand): string[] => [...self.args, ...argvFor(c), ...(self.config !== undefined ? ['--config', self.config] : [])];

export function runCommandProcess(self: SelfCommand, c: ChildCommand, progress: (line: string) => void): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const child = spawn(self.node, childArgv(self, c), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...self.env } });
    let stdout = '';
    // what the CLI prints for a person, relayed; a crash's dump (minified source lines) is not
    let relayed = 0;
    const relay = (l: string): void => {
      if (relayed >= MAX_RELAYED_LINES) return;
      relayed++;
      progress(l);
    };
    // an error line ends the CLI's run: it and what follows wait for the answer (see heldToRelay)
    const held: string[] = [];
    const lines = lineSplitter(
      (l) => {
        if (!relayable(l)) return;
        if (held.length > 0 || ERROR_LINE.test(l)) held.push(l);
        else relay(l);
      },
      { maxLineChars: 64 * 1024, overflow: 'split' },
    );
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < 1_000_000) stdout += d;
    });
    child.stderr.on('data', (d: string) => lines.push(d));
    child.on('error', (e) => resolve({ ok: false, code: 'XH_ERR_INTERNAL', message: `cannot run the agent's own ${c.op}: ${e.message}`, detail: null }));
    child.on('close', (exitCode) => {
      lines.end();
      const last = stdout.trim().split('\n').pop() ?? '';
      let parsed: CliAnswer | null = null;
      try {
        const r = CliAnswerSchema.safeParse(JSON.parse(last));
        if (r.success) parsed = r.data;
      } catch {
        /* not JSON: reported below */
      }
      for (const l of heldToRelay(held, parsed)) relay(l);
      if (parsed === null) return resolve({ ok: false, code: 'XH_ERR_INTERNAL', message: `${c.op} ended (exit ${String(exitCode)}) without its JSON answer`, detail: null });
      resolve(parsed.ok ? { ok: true, code: null, message: parsed.message, detail: last.slice(0, 8000) } : { ok: false, code: parsed.code, message: parsed.message, detail: null });
    });
  });
}
