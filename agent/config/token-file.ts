import { statSync } from 'node:fs';
import { accessWords, modeText, writeWords } from '../../shared/text/mode-words.js';
import type { AgentConfig } from './schema.js';

/**
 * agent.json holds the controller token once the agent is enrolled: whoever reads it can report
 * as this Dom0. `xenherd-controller enroll xen1 > xen1.json` under umask 022 writes it 0644 (and
 * mv keeps that), so a readable one is common. With or without a token, whoever can write it
 * chooses what the agent (root) starts (guardedDir) and runs. The agent warns at start (not on
 * SIGHUP), naming the file, its mode and the fix; it does not refuse: an agent that stops at the
 * next restart or package upgrade guards no domU at the next reboot, a worse outcome than the
 * exposure it names.
 */
export interface FileOwnership {
  /** st_mode (the permission bits are used) */
  readonly mode: number;
  readonly uid: number;
}

/**
 * What FILE (holding CONFIG) lets others do, or null; OWN_UID: the agent's user (root under
 * systemd). Others reading it matters only for the token; others writing it, or owning it (who
 * may chmod it), always.
 */
export function tokenExposure(file: string, config: AgentConfig, st: FileOwnership, ownUid: number): string | null {
  const token = config.controller !== undefined;
  const mode = st.mode & 0o7777;
  const words = token ? accessWords(mode) : writeWords(mode);
  const problems: string[] = [];
  const fixes: string[] = [];
  if (words !== null) {
    problems.push(`is ${words} (mode ${modeText(mode)})`);
    fixes.push(token ? `chmod 600 ${file}` : `chmod go-w ${file}`);
  }
  if (st.uid !== ownUid) {
    problems.push(`is owned by uid ${st.uid}, not by ${ownUid === 0 ? 'root' : `uid ${ownUid}`}, which runs the agent`);
    fixes.push(`chown ${ownUid === 0 ? 'root' : ownUid} ${file}`);
  }
  if (problems.length === 0) return null;
  const foreign = st.uid !== ownUid;
  const consequences = [
    ...(token && ((mode & 0o044) !== 0 || foreign) ? ['anyone who reads it can report as this Dom0'] : []),
    ...((mode & 0o022) !== 0 || foreign ? ['anyone who writes it chooses what the agent starts and runs as root (guardedDir, the migration settings)'] : []),
  ];
  const holds = token ? ' holds the controller token ("controller.token") but' : '';
  return `${file}${holds} ${problems.join(' and ')}: ${consequences.join(', and ')}; run ${fixes.join(' and ')}`;
}

/** tokenExposure for the file on disk (a symlink: the file it points at); null when it cannot be examined (it was just read). */
export function tokenFileExposure(file: string | null, config: AgentConfig, ownUid: number = process.geteuid?.() ?? 0): string | null {
  if (file === null) return null;
  try {
    return tokenExposure(file, config, statSync(file), ownUid);
  } catch {
    return null;
  }
}
