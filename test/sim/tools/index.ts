import type { ToolHandler } from './context.js';
import { drbdadm, drbdsetup } from './drbd-tools.js';
import { xenstoreList, xenstoreRead, xenstoreWatch, xenstoreWrite } from './xenstore.js';
import { xl } from './xl.js';
import { xm } from './xm.js';
import { ssh } from './ssh.js';

export const TOOLS: Readonly<Record<string, ToolHandler>> = {
  xl,
  xm,
  drbdadm,
  drbdsetup,
  'xenstore-read': xenstoreRead,
  'xenstore-list': xenstoreList,
  'xenstore-write': xenstoreWrite,
  'xenstore-watch': xenstoreWatch,
  ssh,
};

export const TOOL_NAMES = Object.keys(TOOLS);
