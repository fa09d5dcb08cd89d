import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseControlLine, type ControlNames } from './command.js';
import { executeControl, type ControlTarget } from './execute.js';

/**
 * Reads commands from `input` (the playground's stdin), one a line, runs them one after the other
 * and writes each answer. A refused or failing line is answered, never thrown.
 *
 * stdin is read whether it is a terminal or not: a pipe or a file of commands (`printf 'power
 * xen1 off\n' | npm run sim -- FLEET`, a test) is as useful as typing them. At its end (Ctrl-D,
 * `</dev/null`, the pipe's writer done) the simulator keeps running — an operator who started it
 * in a script or with nothing on stdin still expects it to serve until Ctrl-C or SIGTERM, as it did
 * before it read commands. (Run it in the background of an interactive shell with `</dev/null`:
 * a background job that reads the terminal is stopped by it.)
 */
export function attachConsole(input: Readable, write: (line: string) => void, given: ControlTarget, names: ControlNames): { readonly idle: () => Promise<void> } {
  const target: ControlTarget = { ...given, tell: write };
  // terminal false: the terminal keeps its own line editing and echo, and Ctrl-C stays SIGINT
  const rl = createInterface({ input, terminal: false });
  let queue: Promise<void> = Promise.resolve();
  rl.on('line', (raw) => {
    queue = queue.then(async () => {
      const parsed = parseControlLine(raw, names);
      if (!parsed.ok) return void write(`error: ${parsed.error}`);
      if (parsed.command === null) return;
      try {
        for (const l of await executeControl(parsed.command, target)) write(l);
      } catch (e) {
        write(`error: ${raw.trim()}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  });
  rl.on('close', () => {
    queue = queue.then(() => write('(no more commands: stdin ended; the simulator keeps running until Ctrl-C)'));
  });
  return { idle: () => queue };
}
