import { statSync } from 'node:fs';
import { octal } from '../../shared/fs/private-dir.js';
import type { AgentConfig } from './schema.js';

/**
 * agent.json holds the controller token once the agent is enrolled: whoever reads it can report
 * as this Dom0. `xenherd-controller enroll xen1 > xen1.json` under umask 022 writes it 0644 (and
 * mv keeps that), so a readable one is common. The agent warns at start (not on SIGHUP), naming the
 * file, its mode and the fix; it does not refuse: an agent that stops at the next restart or
 * package upgrade guards no domU at the next reboot, a worse outcome than the exposure it names.
 */
export interface FileOwnership {
  /** st_mode (the permission bits are used) */
  readonly mode: number;
  readonly uid: number;
}


/** Why FILE (holding CONFIG) exposes the controller token, or null; OWN_UID: the agent's user (root under systemd). */
export function tokenExposure(file: string, config: AgentConfig, st: FileOwnership, ownUid: number): string | null {
  if (config.controller === undefined) return null;
  const problems: string[] = [];
  const fixes: string[] = [];
  if ((st.mode & 0o077) !== 0) {
    problems.push(`is ${(st.mode & 0o044) !== 0 ? 'readable' : 'writable'} by ${(st.mode & 0o007) !== 0 ? 'others' : 'its group'} (mode ${octal(st.mode)})`);
    fixes.push(`chmod 600 ${file}`);
  }
  if (st.uid !== ownUid) {
    problems.push(`is owned by uid ${st.uid}, not by ${ownUid === 0 ? 'root' : `uid ${ownUid}`}, which runs the agent`);
    fixes.push(`chown ${ownUid === 0 ? 'root' : ownUid} ${file}`);
  }
  if (problems.length === 0) return null;
  return `${file} holds the controller token ("controller.token") but ${problems.join(' and ')}: anyone who reads it can report as this Dom0; run ${fixes.join(' and ')}`;
}

/** tokenExposure for the file on disk (a symlink: the file it points at); null when it cannot be examined (it was just read). */
export function tokenFileExposure(file: string | null, config: AgentConfig, ownUid: number = process.geteuid?.() ?? 0): string | null {
  if (file === null || config.controller === undefined) return null;
  try {
    return tokenExposure(file, config, statSync(file), ownUid);
  } catch {
    return null;
  }
}
