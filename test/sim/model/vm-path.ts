/**
 * A domain's /vm path as libxl keeps it: `/local/domain/<domid>/vm` names `/vm/<uuid>`, under
 * which libxl__domain_build (xl create) and domcreate_stream_done (a migration's or restore's
 * arrival) write start_time as "%lu.%02d" of gettimeofday: seconds and hundredths since the epoch.
 * xend (xm) writes its own start_time differently and is not simulated: the agent reads it under xl only.
 */
export const vmPathKey = (domid: number): string => `/local/domain/${domid}/vm`;
export const vmPath = (uuid: string): string => `/vm/${uuid}`;
export const startTimeKey = (uuid: string): string => `${vmPath(uuid)}/start_time`;

export const startTimeText = (nowMs: number): string => `${Math.floor(nowMs / 1000)}.${String(Math.floor((nowMs % 1000) / 10)).padStart(2, '0')}`;

/** the domain's `data` node, which libxl makes at creation for its guest to write (libxl__domain_make) */
export const dataKey = (domid: number): string => `/local/domain/${domid}/data`;
