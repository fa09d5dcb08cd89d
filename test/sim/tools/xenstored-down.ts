import type { HostState } from '../model/types.js';

/**
 * What a tool prints that opens xenstore on a Dom0 whose xenstored is stopped (its socket gone, no
 * xenbus device answering): every open fails with ENOENT before the tool does anything.
 * xenstore_client.c: `err(1, "xs_open")`, so the program's name, `xs_open: ` and strerror, exit 1.
 * xl: libxl_ctx_alloc's LOGEV "cannot connect to xenstore" (test/fixtures/xl/xenstore-down-*),
 * then xl's own "cannot init xl context", exit 1. Null: the tool does not need xenstored, or it runs.
 */
export function xenstoredDownOutput(h: HostState, tool: string): { readonly stderr: string; readonly code: number } | null {
  if (h.xenstored !== 'stopped') return null;
  if (tool === 'xenstore-read' || tool === 'xenstore-write' || tool === 'xenstore-list' || tool === 'xenstore-watch') return { stderr: `${tool}: xs_open: No such file or directory\n`, code: 1 };
  if (tool === 'xl') return { stderr: 'libxl: error: libxl.c:110:libxl_ctx_alloc: cannot connect to xenstore: No such file or directory\ncannot init xl context\n', code: 1 };
  return null;
}

/**
 * What `xenstore-write` prints when its connection to xenstored drops after AFTERPAIRS of its pairs
 * (xenstored killed mid-run, and restarted by its unit at once): xenstore_client.c writes the pairs
 * in order, so the next one fails, "could not write path P" (warnx), and the abort of the
 * transaction fails too on the dead connection, errx(1, "couldn't end transaction"). Past the last
 * pair only the transaction's end fails. Nothing of the run is written either way.
 */
export function xenstoredDropOutput(tool: string, argv: readonly string[], afterPairs: number): string {
  const at = argv.indexOf('--');
  const operands = at === -1 ? argv.filter((a) => !a.startsWith('-')) : argv.slice(at + 1);
  const next = operands[afterPairs * 2];
  return `${next === undefined ? '' : `${tool}: could not write path ${next}\n`}${tool}: couldn't end transaction\n`;
}
