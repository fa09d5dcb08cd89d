/** "2027-03-10 12:00 UTC": a moment as a person compares it with `date -u`, to the minute. */
export const utcMinuteText = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
