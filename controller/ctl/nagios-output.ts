import type { XhError } from '../../shared/errors.js';
import { CHECK_EXIT } from '../../shared/protocol/ctl-check-values.js';
import type { CheckAnswer, CheckStatus, Perfdatum } from '../../shared/protocol/ctl-check.js';
import { printable } from '../../shared/text/printable.js';

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
 * summary | perfdata"), then one line per problem, worst first; exit 0, 1, 2 or 3.
 */
export function renderCheck(a: CheckAnswer): PluginOutput {
  const lines = [statusLine(a.status, a.summary, a.perfdata), ...a.details.map((d) => `${d.status}: ${pluginText(d.text)}`)];
  return { text: `${lines.join('\n')}\n`, exitCode: CHECK_EXIT[a.status] };
}

/** The controller could not be asked (or answered nonsense), or the command line is wrong: UNKNOWN, exit 3, whatever the error. */
export function unknownOutput(e: XhError, json: boolean): PluginOutput {
  const summary = `${e.code}: ${e.message.split('\n')[0] ?? ''}`;
  const text = json ? `${JSON.stringify({ status: 'UNKNOWN', summary, details: [], perfdata: [], error: e })}\n` : `${statusLine('UNKNOWN', summary, [])}\n`;
  return { text, exitCode: CHECK_EXIT.UNKNOWN };
}
