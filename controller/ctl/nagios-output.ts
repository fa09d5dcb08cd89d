import type { XhError } from '../../shared/errors.js';
import { CHECK_EXIT } from '../../shared/protocol/ctl-check-values.js';
import type { CheckAnswer, CheckStatus, Perfdatum } from '../../shared/protocol/ctl-check.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { CertificateTimeFault } from './trusted-chain.js';
import { longOutput } from './check-long-output.js';

/** What `xenherdctl check` prints and exits with. */
export interface PluginOutput {
  readonly text: string;
  readonly exitCode: number;
}

/** The service name on the status line. */
const SERVICE = 'XENHERD';

/**
 * Text from the controller on a plugin's line: one line, nothing that steers a terminal, and no
 * "|" (it starts the performance data).
 */
const pluginText = (text: string): string => printable(text).replace(/\|/g, '/');

/** 'label'=value[UOM];[warn];[crit];[min];[max], trailing empty fields dropped. */
export function perfdatumText(p: Perfdatum): string {
  const fields = [`${p.value}${p.uom}`, p.warn ?? '', p.crit ?? '', p.min === null ? '' : String(p.min), p.max === null ? '' : String(p.max)];
  while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return `'${p.label.replace(/'/g, "''")}'=${fields.join(';')}`;
}

const statusLine = (status: CheckStatus, summary: string, perfdata: readonly Perfdatum[]): string =>
  `${SERVICE} ${status} - ${pluginText(summary)}${perfdata.length > 0 ? ` | ${perfdata.map(perfdatumText).join(' ')}` : ''}`;

/**
 * The verdict as a Nagios plugin prints it: one status line ("XENHERD CRITICAL -
 * summary | perfdata"), then a line per problem, worst first, many of a kind on one line and the
 * whole under 8 KB (check-long-output.ts); exit 0, 1, 2 or 3.
 */
export function renderCheck(a: CheckAnswer): PluginOutput {
  const status = statusLine(a.status, a.summary, a.perfdata);
  const lines = [status, ...longOutput(a.details, Buffer.byteLength(status, 'utf8') + 1, (s, text) => `${s}: ${pluginText(text)}`)];
  return { text: `${lines.join('\n')}\n`, exitCode: CHECK_EXIT[a.status] };
}

/** The controller could not be asked (or answered nonsense), or the command line is wrong: UNKNOWN, exit 3, whatever the error (but certificateTimeOutput's). */
export function unknownOutput(e: XhError, json: boolean): PluginOutput {
  const summary = `${e.code}: ${e.message.split('\n')[0] ?? ''}`;
  const text = json ? jsonLine({ status: 'UNKNOWN', summary, details: [], perfdata: [], error: e }) : `${statusLine('UNKNOWN', summary, [])}\n`;
  return { text, exitCode: CHECK_EXIT.UNKNOWN };
}

/**
 * The controller's certificate refused for its time (expired, or not valid yet): CRITICAL, exit
 * 2, not UNKNOWN. The fault is certain and stops every agent's link as well, which check on the
 * controller can no longer say once no TLS client gets through. The status line says what and
 * when; the line below is the refusal with its fix (renew-cert on the controller, or the clock).
 */
export function certificateTimeOutput(e: XhError, f: CertificateTimeFault, json: boolean): PluginOutput {
  const which = f.leaf ? 'controller certificate' : "CA of the controller's certificate";
  const summary = `${which} ${f.fault === 'expired' ? 'expired on' : 'not valid before'} ${utcMinuteText(f.at)}`;
  const detail = { status: 'CRITICAL' as const, text: `${e.code}: ${e.message.split('\n')[0] ?? ''}` };
  const text = json ? jsonLine({ status: 'CRITICAL', summary, details: [detail], perfdata: [], error: e }) : `${statusLine('CRITICAL', summary, [])}\nCRITICAL: ${pluginText(detail.text)}\n`;
  return { text, exitCode: CHECK_EXIT.CRITICAL };
}

/**
 * The verdict of a controller asked in the primary's place (or while another hears Dom0s too):
 * NOTE (controller-choice.ts) is a problem of its own, a WARNING, so an OK turns WARNING with the
 * note leading its status line: the agents left the primary, which the on-call should know, but
 * the fleet itself is judged by the controller that hears it (the idle primary's verdict would
 * call every Dom0 unreachable, CRITICAL). A worse verdict keeps its status and summary.
 */
export function withControllerNote(a: CheckAnswer, note: string): CheckAnswer {
  const raised = a.status === 'OK';
  // worst first, as the controller lists them: before the first warning, after anything worse
  const at = a.details.findIndex((d) => d.status === 'WARNING' || d.status === 'OK');
  const details = [...a.details];
  details.splice(at < 0 ? details.length : at, 0, { status: 'WARNING', text: note });
  return { ...a, status: raised ? 'WARNING' : a.status, summary: raised ? `${note}; ${a.summary}` : a.summary, details };
}
