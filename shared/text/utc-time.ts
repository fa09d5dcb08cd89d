/** "2027-03-10 12:00 UTC": a moment as a person compares it with `date -u`, to the minute. */
export const utcMinuteText = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** "15:57:15 UTC": a moment of today's work (a restart, a stop) to the second, as `date -u` shows it. */
export const utcSecondText = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** "agent stopped cleanly at 15:57:15 UTC (restarting? upgrading?)": an agent whose close said it is stopping, as check, hosts, status and where say it. */
export const agentStoppedText = (at: number): string => `agent stopped cleanly at ${utcSecondText(at)} (restarting? upgrading?)`;

/** "reports to another controller since 15:57:15 UTC": an agent that went back to the primary, as check, hosts, status and where say it on the standby. */
export const reportsElsewhereText = (at: number): string => `reports to another controller since ${utcSecondText(at)}`;
