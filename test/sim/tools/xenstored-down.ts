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
  if (tool === 'xenstore-read' || tool === 'xenstore-write' || tool === 'xenstore-watch') return { stderr: `${tool}: xs_open: No such file or directory\n`, code: 1 };
  if (tool === 'xl') return { stderr: 'libxl: error: libxl.c:110:libxl_ctx_alloc: cannot connect to xenstore: No such file or directory\ncannot init xl context\n', code: 1 };
  return null;
}
