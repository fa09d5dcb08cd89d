import type { CommandHelp } from '../../shared/cli/program.js';
import { INVENTORY_SCHEMA_VERSION } from '../../shared/inventory.js';
import { DEFAULT_CONFIG_PATH } from '../config/schema.js';
import { DEFAULT_SHUTDOWN_WAIT_MS } from '../decide/cold-move-plan.js';
import { BIN } from './common.js';

/**
 * What --help shows of each xenherd-agent command, apart from the commands themselves: the agent
 * lists them all but loads only the one it runs (commands.ts), and a forced command or a status
 * check on a slow Dom0 then starts without initialising the code of every other command.
 */
export const AGENT_COMMAND_HELP = {
  run: {
    name: 'run',
    summary: 'The agent daemon: guarded DRBD-aware autostart of the domUs in /etc/xen/drbd-auto (run by systemd).',
    usage:
      'run [--config FILE]\n' +
      `  --config   the agent's JSON config (default ${DEFAULT_CONFIG_PATH}; absent: defaults)\n` +
      'Logs JSON to stdout, each line with its syslog priority when stdout is the journal (journalctl -p err shows errors). SIGHUP and `autostart reload` (systemctl reload) read the config again and decide again (a changed stateDir, controlSocket or controller section needs a restart: the reload is refused, naming them, and `autostart reload` exits 78); SIGTERM stops cleanly.\n' +
      'Notifies systemd (READY=1, STATUS=..., WATCHDOG=1) when NOTIFY_SOCKET is set; reports to the controller\n' +
      'named in the config\'s `controller` section, if any.',
  },
  autostart: {
    name: 'autostart',
    summary: 'Guarded autostart on this host, through the running agent: start|stop|status|reload, start --force NAME.',
    usage:
      'autostart start|stop|status|reload [--json] [--config FILE | --socket PATH]\n' +
      '       autostart start --force NAME --reason TEXT\n' +
      '  status    each guarded domU: its decision (running, start, skip, defer), the reason and since when;\n' +
      '            a deferred one: when the agent tries it next (sooner if DRBD or the domains change);\n' +
      '            right after the agent starts: until when the first decisions wait for the controller\n' +
      '  reload    read the agent\'s config again (as SIGHUP; exit 78 when it is refused, the old one staying) and\n' +
      '            this host, and decide every guarded domU again (systemctl reload xenherd-agent runs it); a\n' +
      '            boot record autostart lost is read again: mended or moved out of its dir, the loss ends\n' +
      '  stop      start nothing more, also what is queued (decisions are still made and shown); start resumes\n' +
      '  --force   start one domU now (logged with --reason), overriding a defer (boot-record-lost: the record of\n' +
      '            what autostart handled this boot could not be read, so it starts nothing on its own; except\n' +
      '            config-duplicate: two files of the guarded dir define it; config-unreadable; config-unsafe:\n' +
      '            others can change the config or its dir; ledger-unreadable) or the skip\n' +
      '            handled-this-boot (started or seen running, then stopped by someone); running-elsewhere\n' +
      '            only when every host reporting it is one the controller no longer hears from (a dead\n' +
      '            Dom0\'s last report), migrated-away only when the controller no longer hears from the\n' +
      '            Dom0 it went to (or no controller is connected); never a peer-primary skip (split brain:\n' +
      '            also read again right after taking DRBD Primary) or another skip (maintenance,\n' +
      '            migrating-away, unsettled)\n' +
      '  --json    print the answer as JSON\n' +
      '  --config  the agent config naming the control socket (default /etc/xenherd/agent.json)\n' +
      '  --socket  the control socket (default from the config: /run/xenherd/agent.sock)',
  },
  inventory: {
    name: 'inventory',
    summary: 'Read this Dom0 once: toolstack, memory, domains, guarded domUs, standby replicas and their DRBD state.',
    usage:
      'inventory [--json] [--config FILE] [--guarded-dir DIR] [--toolstack xl|xm]\n' +
      `  --json          print JSON (schema version ${INVENTORY_SCHEMA_VERSION}, see shared/inventory.ts) instead of a table\n` +
      `  --config        the agent config whose dirs and toolstack are used (default ${DEFAULT_CONFIG_PATH}, else the defaults)\n` +
      '  --guarded-dir   the guarded-autostart config dir (default: guardedDir of the agent config)\n' +
      '  --toolstack     use xl or xm (default: toolstack of the agent config, else detected)\n' +
      'Standby replicas are domUs homed on another Dom0 whose config is in migration.configDir (/etc/xen)\n' +
      'and whose every DRBD resource names this host in migration.drbdConfigDir (/etc/drbd.d).\n' +
      'Something that could not be read is shown as unknown, never as absent.\n' +
      'Exit 0 when everything was read; otherwise the exit code of the first problem (all are listed).',
  },
  status: {
    name: 'status',
    summary: 'Where this Dom0\'s domUs are (ledger + xl list): at home, migrated away, visitors, standby replicas; mismatches reported.',
    usage:
      'status [ALL|NAME] [--json] [--config FILE]\n' +
      'A standby domU is homed on another Dom0; this host holds its config (migration.configDir) and a\n' +
      'replica of every DRBD resource it uses (its .res file in migration.drbdConfigDir names this host).\n' +
      'Exit 0: the ledger and xl list agree; 85 (XH_ERR_LEDGER_MISMATCH): they disagree (listed, nothing rewritten);\n' +
      '83 (XH_ERR_MIGRATION_UNKNOWN): a migration from here ended in an ALARM not yet settled (listed as "ALARM unsettled");\n' +
      '79 (XH_ERR_LEDGER_CORRUPT): the ledger is unreadable; 1 (XH_ERR_NOT_FOUND): NAME is not known here;\n' +
      'a problem reading this host (listed under problems: an unreadable migrate-tab or guarded dir) exits with\n' +
      'its code, as inventory does (e.g. 78 XH_ERR_CONFIG, 74 XH_ERR_FILE).',
  },
  migrate: {
    name: 'migrate',
    summary: 'Live-migrate a domU running here to HOST (default: its migrate-tab/DRBD peer) and record it in both ledgers.',
    usage:
      'migrate NAME [HOST] [--reason manual|drain|rebalance|restore] [--dry-run] [--no-peer] [--operation-id ID] [--json] [--config FILE]\n' +
      '  A preflight runs first: NAME runs here, HOST holds a replica of every DRBD resource of NAME, each in step\n' +
      '  (Connected, UpToDate/UpToDate: never onto a disconnected, split-brained or resyncing pair), the migration\n' +
      '  key and HOST\'s host key are here, HOST\'s sshd answers, HOST does not run NAME and has the memory, and HOST\n' +
      '  is not draining or in maintenance (except --reason restore: NAME goes back to its home HOST).\n' +
      '  --dry-run   print the plan and the preflight verdict; move nothing (exit 0 when it would proceed)\n' +
      '  --no-peer   do not ask HOST\'s forced command anything (no xenherd keys there): HOST is not told, exit 86\n' +
      'Exit 0: migrated, both ledgers updated; 82 XH_ERR_MIGRATION_FAILED: still here, ledger unchanged;\n' +
      '83 XH_ERR_MIGRATION_UNKNOWN: ALARM, undefined ending (nothing recorded); 86 XH_ERR_MIGRATION_PARTIAL: moved and\n' +
      'recorded here, HOST not told (the message gives the command that finishes it); 81 XH_ERR_LOCKED: another migration;\n' +
      '77 refused (does not run here, a visitor can only go home, preflight); 1 XH_ERR_NOT_FOUND: unknown domU;\n' +
      '84 HOST\'s sshd unreachable; 74 migration key or host key missing, or the migrate-tab cannot be read (a directory,\n' +
      'no permission); 78 XH_ERR_CONFIG: a migrate-tab line does not parse; 79 ledger corrupt; 76 XH_ERR_AGENT_UNREACHABLE:\n' +
      'the running agent stopped holding NAME (restarted, stopped) and held it again not within 60 s: nothing moved.',
  },
  reverse: {
    name: 'reverse',
    summary: 'Bring a domU that left this Dom0 back: asks its current host (ssh, migration key) to run migrate2.',
    usage:
      'reverse NAME [--dry-run] [--json] [--config FILE]\n' +
      '  A preflight runs first: the migration key and the peer\'s host key are here, its sshd answers, it runs NAME,\n' +
      '  and its toolstack and Xen release can live-migrate here (the same toolstack, this Dom0\'s release no older).\n' +
      '  --dry-run   print the plan and the preflight verdict; move nothing\n' +
      'Exit 0: back here, ledger updated; 77: the ledger has no record of NAME leaving, the peer refused, or its tools\n' +
      'cannot live-migrate here;\n' +
      '80/81/82/83: the peer\'s migrate2 result (rejected, locked, failed, ALARM); 83 also when the peer\'s migrate2 died\n' +
      'without an exit status; 84 XH_ERR_PEER_UNREACHABLE: ssh failed, or the peer cannot reach this host\'s sshd;\n' +
      '85: NAME already runs here, or the peer does not run it (the ledger disagrees); 89: the peer speaks another protocol;\n' +
      '76: the running agent here stopped holding NAME (restarted, stopped) and held it again not within 60 s: nothing moved.',
  },
  moveStop: {
    name: 'move-stop',
    summary: 'Cold move, first half: shut a domU down here and demote its DRBD disks so another Dom0 can start it.',
    usage:
      'move-stop NAME --to HOST [--reason manual|drain] [--operation-id ID] [--timeout SECONDS] [--json] [--config FILE]\n' +
      '  The two halves of a cold move, what `xenherdctl drain --cold-fallback` runs when live migration keeps\n' +
      '  failing: `move-stop` here, then `move-start NAME --from THIS-HOST` on HOST. NAME is down in between.\n' +
      '  Here: NAME is held (no migration or autostart of it meanwhile); refused unless HOST holds a replica of\n' +
      '  every DRBD resource of NAME, each in step with HOST as a live migrate needs it (Connected, UpToDate/UpToDate,\n' +
      '  read now); the ledger records NAME as gone to HOST (a visitor\'s record ends), so this\n' +
      '  host never starts it again by itself; `xl shutdown -w NAME`; then `drbdadm secondary` on each resource.\n' +
      `  --timeout   how long the guest may take to shut down (default ${DEFAULT_SHUTDOWN_WAIT_MS / 1000} s); past it NAME keeps running\n` +
      '  --reason   the reason the away record gives (default manual; drain when the agent runs a controller\'s drain)\n' +
      '  --operation-id   the ledger\'s operation id (default: a new one)\n' +
      'Exit 0: NAME is down here and its resources are Secondary; 70/75 XH_ERR_TOOL_FAILED/TIMEOUT: the shutdown failed or\n' +
      'timed out, NAME still runs here and the ledger is as it was; 86 XH_ERR_MIGRATION_PARTIAL: NAME is down but a\n' +
      'resource stayed Primary here (demote it by hand before starting NAME anywhere); 77 refused (HOST holds no\n' +
      'replica, or DRBD is not in step with it); 81 locked (a migration or start of NAME runs); 1 NAME does not run here; 64 wrong arguments.',
  },
  moveStart: {
    name: 'move-start',
    summary: 'Cold move, second half: start here a domU that `move-stop` shut down on another Dom0.',
    usage:
      'move-start NAME --from HOST [--operation-id ID] [--json] [--config FILE]\n' +
      '  The two halves of a cold move, what `xenherdctl drain --cold-fallback` runs when live migration keeps\n' +
      '  failing: `move-stop NAME --to THIS-HOST` on HOST, then `move-start` here.\n' +
      '  NAME starts from this host\'s own config (guarded dir, else the config dir), only under the rules of guarded\n' +
      '  autostart, read now: every peer of every DRBD resource of NAME connected and Secondary (HOST among them when\n' +
      '  the .res names it), the disk here\n' +
      '  UpToDate, this host not draining or in maintenance, xl list here not showing NAME. Anything less refuses and\n' +
      '  starts nothing: ask again once DRBD has settled. The ledger then records NAME as a visitor (or, this being its\n' +
      '  home, ends its away record).\n' +
      'Exit 0: NAME runs here; 77 XH_ERR_REFUSED: the DRBD rules (or a running copy) forbid the start, nothing done;\n' +
      '70 XH_ERR_TOOL_FAILED: xl create failed, the resources are demoted again; 1 XH_ERR_NOT_FOUND: no config for NAME\n' +
      'here; 86: NAME runs here but the ledger could not record it; 81 locked; 64 wrong arguments.',
  },
  reconcile: {
    name: 'reconcile',
    summary: 'Accept what xl list shows for one domU whose ledger record it contradicts, or settle its ALARM (after checking by hand).',
    usage:
      'reconcile NAME [--home HOST] [--json] [--config FILE]\n' +
      '  away but running here -> the away record is dropped; visitor not here -> its record is dropped;\n' +
      '  running here unrecorded -> recorded as a visitor from --home HOST (a host its DRBD resources name);\n' +
      '  a migration from here that ended in an ALARM (status shows it unsettled) -> settled, once you have checked both hosts.\n' +
      `Exit 0: reconciled, or nothing to do; 1 XH_ERR_NOT_FOUND: NAME is unknown here; 77: refused (mid-migration,\n` +
      `--home missing, or a --home that holds no replica); 81: a migration of NAME runs; ` +
      `79: ledger corrupt. \`${BIN} status ALL\` lists the mismatches (exit 85).`,
  },
  ping: {
    name: 'ping',
    summary: 'Check that a reverse migration can reach HOST: ssh with the migration key, its forced command answers PONG.',
    usage: 'ping HOST [--json] [--config FILE]\nExit 0: PONG received from HOST; 84 XH_ERR_PEER_UNREACHABLE: no ssh or no PONG; 74: no key/known_hosts;\n77 XH_ERR_REFUSED: another Dom0 answered (the PONG names it): the name HOST reaches the wrong Dom0.',
  },
  migrate2: {
    name: 'migrate2',
    summary: 'The ssh forced command for reverse migrations: answers a peer Dom0\'s ping | status NAME [--not-mine] [--tools] | migrate2 NAME [--live].',
    usage:
      'migrate2 --peer HOME [--config FILE]   (run by sshd: command="/usr/sbin/xenherd-agent migrate2 --peer HOME" in authorized_keys)\n' +
      `  --config   the agent's JSON config (default ${DEFAULT_CONFIG_PATH}): add it to that command when the config is elsewhere\n` +
      'Reads the request from SSH_ORIGINAL_COMMAND; only HOME\'s own domUs running here are migrated back to HOME.\n' +
      'Answers in JSON lines (peer protocol v1: pong, status, progress, result).\n' +
      `Exit 0: done; 80 XH_ERR_COMMAND_REJECTED: not in the grammar, nothing run; 77: not HOME's domU or not here;\n` +
      '81 locked (another migration, or the running agent holds NAME); 82 migration failed (still here);\n' +
      '83 ALARM (undefined ending); 84 HOME\'s sshd not reachable from here (still here); 79 ledger corrupt.',
  },
  keys: {
    name: 'keys',
    summary: 'keys setup PEER: create the migration key if missing and print the authorized_keys line for PEER.',
    usage:
      'keys setup PEER [--from IP] [--agent-path PATH] [--json] [--config FILE]\n' +
      '  --from   default: the source address of this host\'s route to PEER (migration.peers.PEER.address, else PEER)\n' +
      'The line carries the public half of the private key itself (a .pub that differs is named, not used).\n' +
      'Exit 0: line printed; 64: no --from and no route to PEER; 69/70: ssh-keygen missing or failed;\n' +
      '77: the key is not an ed25519 key without a passphrase.',
  },
} as const satisfies Record<string, CommandHelp>;
