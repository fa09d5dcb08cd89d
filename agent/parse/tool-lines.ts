/**
 * The lines of what a tool printed, as every parser of tool output reads them. drbd-utils, the
 * DRBD kernel module's /proc/drbd, xl, xm and xenstore-watch end their lines with "\n" alone, and
 * the agent reads them through pipes, so a carriage return never comes from the tool itself. One
 * comes from a capture taken through a terminal: `ssh -t`, a serial console or `script` turn each
 * "\n" into "\r\n", and a Windows ssh client's log or editor keeps them. A CR at a line's end says
 * nothing in any of these formats, so it is dropped here, once for every parser: left on, it
 * became part of the last word (`disk:UpToDate\r` refused as no disk state, `suspended:no\r`
 * taken as a value, `R: No such resource\r` not read as a resource that is down). A CR inside a
 * line is left as it is, for the parser to refuse.
 */

/** LINE without one carriage return at its end. */
export const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** Lines of TEXT without their "\n" or "\r\n", and without the empty tail after the last newline. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n').map(withoutCr);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
