import { splitLines } from './tool-lines.js';

/**
 * Recognises the toolstack's well-known complaints on stderr, so the adapter can tell
 * "that domain does not exist" (an answer) from a broken tool (a failure).
 *
 * - xl, name not found: `NAME is an invalid domain identifier (rc=-6)` (xl_utils.c find_domain;
 *   -6 is ERROR_INVAL from libxl_name_to_domid), exit 1 (exit 2 before 4.7);
 * - xl, numeric id not found, and xm for any: `Error: Domain 'X' does not exist.`;
 * - xl domid / domname (real Xen 4.17 lab capture): `Can't get domid of domain name 'X', maybe
 *   this domain does not exist.` and `Can't get domain name of domain id 'N', maybe this domain
 *   does not exist.`, exit 1;
 * - xl 4.2 … 4.4 while xend runs, for commands that modify state:
 *   `xend is running, which may cause unpredictable results when using` (xl.c main);
 * - xm without xend: `Error: Unable to connect to xend: <reason>. Is xend running?`;
 * - xl where it cannot reach the hypervisor (booted without Xen, or not root), xl.c and libxl.c:
 *   `xencall: error: Could not obtain handle on privileged command interface: <reason>` (or
 *   `xc: error: …` before 4.7), `libxl: error: libxl.c:N:libxl_ctx_alloc: cannot open libxc
 *   handle: <reason>`, then `cannot init xl context`; <reason> is "Permission denied" for a user
 *   who is not root.
 * - xl where Xen answers but xenstored does not (not started, or died), libxl_ctx_alloc:
 *   `libxl: error: libxl.c:N:libxl_ctx_alloc: cannot connect to xenstore: <reason>` (4.4 … 4.22,
 *   once neither xenstored's socket nor the xenbus device opened), or, 4.1 … 4.3, which first
 *   stat /var/run/xenstored.pid: `…: Is xenstore daemon running?` with `failed to stat
 *   /var/run/xenstored.pid: <reason>` on the next line; then `cannot init xl context`.
 * - xl as root whose context opened, where Xen then refuses a hypercall with EACCES: libxl logs
 *   `libxl: error: libxl.c:N:libxl_get_physinfo: getting physinfo: Permission denied` (then xl's
 *   `libxl_physinfo failed.`), or `…:libxl_list_domain: getting domain info list: Permission
 *   denied` (spelt "geting" before 4.2; then `libxl_list_domain failed.`). Xen answers EACCES to a
 *   sysctl or domctl whose interface version is not its own, so these tools were built for
 *   another Xen than the running one; an XSM/FLASK policy denying Dom0 answers the same. A name
 *   looked up this way fails too (`NAME is an invalid domain identifier (rc=-5)`): the refusal
 *   is the answer then, not "no such domain".
 * - xl shutdown / reboot of an HVM guest whose PV drivers do not answer (none installed, or not
 *   loaded yet), tools/xl/xl_vmcontrol.c (xl_cmdimpl.c before 4.9; 4.2 … 4.22): `PV control
 *   interface not available: external graceful shutdown not possible.` (`reboot` for reboot) and
 *   `Use "-F" to fallback to ACPI power event.`, then `shutdown failed (rc=-10)`
 *   (ERROR_NOPARAVIRT), exit 1. xl 4.3+ prints `Shutting down domain N` first, so the first line
 *   says nothing of why.
 */
export type ToolstackComplaint =
  | { readonly kind: 'no-such-domain'; readonly domain: string }
  | { readonly kind: 'xend-running' }
  | { readonly kind: 'xend-not-running'; readonly reason: string }
  | { readonly kind: 'need-root' }
  | { readonly kind: 'no-hypervisor'; readonly reason: string }
  /** libxl's words for why it could not open xenstore: "No such file or directory" */
  | { readonly kind: 'xenstore-down'; readonly reason: string }
  /** what Xen refused, as libxl words it: "getting physinfo", "getting domain info list" */
  | { readonly kind: 'tools-mismatch'; readonly refused: string }
  /** the guest did not answer a PV shutdown or reboot request: it has no PV drivers running */
  | { readonly kind: 'no-pv-control'; readonly action: 'shutdown' | 'reboot' };

/** The fix for a refusal by Xen of these tools' hypercalls, in words shared by every place naming it. */
export const TOOLS_MISMATCH_FIX =
  'these xl tools were built for another Xen than the running one (reboot into the Xen they came with, or install the tools of the running one), ' +
  'or an XSM/FLASK policy denies Dom0 that call';

// rc=-5 (ERROR_NOMEM) is excluded: libxl_name_to_domid answers it when it could not list the
// domains at all (4.0 … 4.22), so the name was never looked for; not-found is -6 (-1 in 4.0)
const INVALID_ID_RE = /^(.*) is an invalid domain identifier(?: \(rc=(?!-5\))-?\d+\))?$/;

/** The domain a "NAME is an invalid domain identifier" line says does not exist, or null. */
export function invalidDomainId(line: string): string | null {
  return INVALID_ID_RE.exec(line)?.[1] ?? null;
}

/**
 * libxl's "libxl: error: libxl_create.c:1294:initiate_domain_create: " says where in libxl, not
 * why; so does the "Domain 7:" libxl (4.9+) puts after it for a domain it was building or undoing.
 * libxl 4.1 put a space, not ": ", after the function ("libxl_create.c:317:libxl__domain_make
 * domain creation fail"): there only the function name goes, the message starts after its space.
 */
const LIBXL_WHERE_RE = /^libxl: error: [\w.-]+:\d+:\w+(?:: (?:Domain \d+:)?| )/;

/** What a libxl error LINE says, for a person: without where in libxl it was printed; any other line as it is. */
export function libxlSays(line: string): string {
  return line.replace(LIBXL_WHERE_RE, '');
}

const NOT_EXIST_RE = /^Error: Domain '(.*)' does not exist\.$/;
const CANT_GET_RE = /^Can't get (?:domid of domain name|domain name of domain id) '(.*)', maybe this domain does not exist\.$/;
const NO_XEND_RE = /^Error: Unable to connect to xend: (.*?)\.(?: Is xend running\?)?$/;
const NO_PV_CONTROL_RE = /^PV control interface not available: external graceful (shutdown|reboot) not possible\.$/;

const NO_HANDLE_RE = /(?:privileged command interface|cannot open libxc handle): (.+)$/;
const NO_XENSTORE_RE = /^libxl: error: [^:\s]+:\d+:\w+: cannot connect to xenstore: (.+)$|^(failed to stat \S*xenstored\.pid: .+)$/;
// only the calls that read the host and its domains, so that a file libxl could not open is not taken for Xen's refusal
const REFUSED_RE = /^libxl: error: [^:\s]+:\d+:\w+: (gett?ing (?:physinfo|domain info list)): Permission denied$/;

/**
 * xl's stderr as lines. xl reads /etc/xen/xl.conf before any command and complains of a bad
 * `autoballoon` or `domid_policy` value without a newline (tools/xl/xl.c parse_global_config,
 * 4.1 … 4.22), then goes on: the complaint would run into the command's first line of its own
 * (and, through ssh, the migration receiver's), hiding what that line says. Each such complaint
 * is a line of its own here.
 */
export function xlStderrLines(stderr: string): string[] {
  return splitLines(stderr.replace(/(invalid (?:autoballoon|domid_policy) option)(?=[^\n])/g, '$1\n')).map((l) => l.trim());
}

export function classifyToolstackStderr(stderr: string): ToolstackComplaint | null {
  const lines = xlStderrLines(stderr);
  if (lines.includes('cannot init xl context')) {
    const noStore = lines.map((l) => NO_XENSTORE_RE.exec(l)).find((m) => m !== null);
    const storeReason = noStore?.[1] ?? noStore?.[2];
    // xenstored's socket is root's alone: a user let at the hypervisor but not at it is still not root
    if (storeReason !== undefined) return storeReason.endsWith('Permission denied') ? { kind: 'need-root' } : { kind: 'xenstore-down', reason: storeReason };
    const reason = lines.map((l) => NO_HANDLE_RE.exec(l)?.[1]).find((r) => r !== undefined) ?? 'unknown reason';
    return reason === 'Permission denied' ? { kind: 'need-root' } : { kind: 'no-hypervisor', reason };
  }
  // before "invalid domain identifier": a name xl could not look up for this reason may well exist
  const refused = lines.map((l) => REFUSED_RE.exec(l)?.[1]).find((r) => r !== undefined);
  if (refused !== undefined) return { kind: 'tools-mismatch', refused: refused.replace(/^geting/, 'getting') };
  for (const line of lines) {
    const invalid = INVALID_ID_RE.exec(line) ?? NOT_EXIST_RE.exec(line) ?? CANT_GET_RE.exec(line);
    if (invalid?.[1] !== undefined) return { kind: 'no-such-domain', domain: invalid[1] };
    if (line.startsWith('xend is running, which may cause unpredictable results')) return { kind: 'xend-running' };
    const noXend = NO_XEND_RE.exec(line);
    if (noXend?.[1] !== undefined) return { kind: 'xend-not-running', reason: noXend[1] };
    if (line.startsWith('Error: Most commands need root access')) return { kind: 'need-root' };
    const noPv = NO_PV_CONTROL_RE.exec(line)?.[1];
    if (noPv === 'shutdown' || noPv === 'reboot') return { kind: 'no-pv-control', action: noPv };
  }
  return null;
}
