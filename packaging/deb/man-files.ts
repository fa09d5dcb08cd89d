/**
 * The FILES section of each man page: what the program reads and writes, and where the keys of
 * its config files are described (the README, shipped as /usr/share/doc/PACKAGE/README.md.gz).
 * The binaries' --help, from which the rest of the page is made, names commands, not files.
 */
export interface ManFile {
  readonly path: string;
  readonly what: string;
}

const AGENT_DOC = '/usr/share/doc/xenherd-agent/README.md.gz';
const CONTROLLER_DOC = '/usr/share/doc/xenherd-controller/README.md.gz';

export const MAN_FILES: Record<string, readonly ManFile[]> = {
  'xenherd-agent': [
    { path: '/etc/xenherd/agent.json', what: `The agent's configuration (JSON; every key optional, unknown keys refused; --config FILE reads another). Its keys and defaults are listed in ${AGENT_DOC}, section "xenherd-agent run". With a "controller" section it holds this Dom0's token: keep it owner-only (chmod 600); the agent warns at start when group or others can read it. Not a conffile: installing the package makes it ({}, mode 0600) only when there is none, and never changes one already there, whoever wrote it (so it may be written before the install). Removing the package keeps it; purging deletes it, token and all.` },
    { path: '/etc/xen/drbd-auto/', what: 'The guarded domUs: the configs the agent starts once DRBD says it is safe (key guardedDir). xendomains does not read it: with the agent removed, nothing starts them at boot (removing the package names them).' },
    { path: '/var/lib/xenherd/', what: 'The ledger of domUs that left this Dom0, start records and locks (key stateDir); root\'s alone. Purging the package removes it.' },
    { path: '/run/xenherd/', what: 'The control socket agent.sock (key controlSocket) and the record of the guarded domUs handled since boot; kept across stops and package removal, cleared by a reboot or purge.' },
    { path: '/etc/xenherd/migrate_key, /etc/xenherd/known_hosts', what: 'The ssh key for reverse migrations (keys setup) and the peers\' host keys (keys migration.keyFile, migration.knownHostsFile), read as ssh reads them: a peer at another port than 22 by its [HOST]:PORT line (what ssh-keyscan -p PORT HOST writes), and only while it has none, by a bare HOST line (port 22\'s key).' },
    { path: '/etc/xen/migrate-tab.txt', what: 'The migration table: domU, peer, options (key migration.migrateTab).' },
  ],
  'xenherd-controller': [
    { path: '/etc/xenherd/controller.json', what: `The controller's configuration, written by init; its keys are listed in ${CONTROLLER_DOC}, section "The controller and xenherdctl". The unit refuses to start until it exists.` },
    { path: '/etc/xenherd/tls/', what: 'The CA (ca.crt, ca.key) and the server certificate and key (server.crt, server.key), written by init; renew-cert replaces server.crt (signed by ca.key, the old one kept as server.crt.bak).' },
    { path: '/etc/xenherd/state/tokens.json', what: 'The tokens of enrolled agents and operators (enroll, operator, revoke; tokens lists them). The unit hands this file and the TLS files to the service as systemd credentials, read at start: restart the service after a change. The unit refuses to start while one of them is missing, naming it (AssertPathExists=).' },
    { path: '/var/lib/xenherd-controller/', what: 'The service\'s state directory (DynamicUser=: /var/lib/private/xenherd-controller).' },
  ],
  xenherdctl: [
    { path: '~/.config/xenherd/ctl.json', what: `The controller's url, token and ca, instead of XENHERD_URL, XENHERD_TOKEN and XENHERD_CA; described in ${CONTROLLER_DOC}.` },
  ],
};
