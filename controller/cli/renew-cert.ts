import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { ipBytes } from '../pki/ip-bytes.js';
import { sanNames } from '../../shared/tls/san-names.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import { writeOwnFile } from '../files/atomic-write.js';
import { makeServerCert } from '../pki/certificate.js';
import { BIN, fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';
import type { ControllerHooks } from './hooks.js';
import { certNameProblem } from './init-options.js';
import { renewalSources, type RenewalSources } from './renew-cert-sources.js';

const USAGE = 'renew-cert [--config FILE] [--days N] [--name NAME]... [--ca-key FILE]';

/**
 * Where systemd puts the copy of tls.cert it hands the packaged service (LoadCredential= in
 * systemd/xenherd-controller.service): present exactly while that service runs, read at its start.
 */
export const SERVICE_CERT_CREDENTIAL = '/run/credentials/xenherd-controller.service/tls.cert';

const DAY = 86_400_000;
/** init's lifetime, and the longest taken: some TLS clients (Apple's) refuse server certificates valid longer */
const MAX_DAYS = 825;
const NEEDS = { config: 'the controller.json file', days: `whole days, 1-${MAX_DAYS}`, name: 'a host name or IP address', 'ca-key': "the CA's private key file" };

const usage = (message: string): XhError => ({ code: 'XH_ERR_USAGE', message });

/** Every --name NAME given (each maybe NAME,NAME), checked as init checks its names. */
function namesGiven(values: readonly string[]): Result<string[], XhError> {
  const names = values.flatMap((v) => v.split(','));
  const bad = names.map((n) => certNameProblem(n, '--name')).find((p) => p !== null);
  return bad !== undefined && bad !== null ? err(usage(bad)) : ok(names);
}

/** One spelling per name: host names ignore case, an IP address is its bytes (::1 and 0:0:0:0:0:0:0:1 are one). */
const sameName = (n: string): string => ipBytes(n)?.toString('hex') ?? n.toLowerCase();

/** The names the new certificate carries: the old one's, in their order, then those added; or why the old ones cannot be carried over. */
function namesFor(s: RenewalSources, added: readonly string[]): Result<string[], XhError> {
  const { names, others } = sanNames(s.leaf);
  if (others.length > 0) return err({ code: 'XH_ERR_REFUSED', message: `${s.certFile} (tls.cert) also names ${others.join(', ')}, which renew-cert cannot carry over: renew it with the tools that made it` });
  const bad = names.find((n) => certNameProblem(n, '') !== null);
  if (bad !== undefined) return err({ code: 'XH_ERR_REFUSED', message: `${s.certFile} (tls.cert) names ${JSON.stringify(bad)}, which renew-cert cannot put in a certificate (host names and IP addresses only): renew it with the tools that made it` });
  const out = new Map<string, string>();
  for (const n of [...names, ...added]) if (!out.has(sameName(n))) out.set(sameName(n), n);
  if (out.size === 0) return err(usage(`${s.certFile} (tls.cert) names no host: give the names agents and xenherdctl dial with --name NAME`));
  return ok([...out.values()]);
}

/** What a running serve needs to serve the new certificate. */
const restartText = (serviceRuns: boolean): string =>
  serviceRuns
    ? `${BIN}: xenherd-controller.service is running on a copy of the certificate made at its start: restart it to serve the new one: systemctl restart xenherd-controller (agents reconnect by themselves)\n`
    : `${BIN}: a running \`${BIN} serve\` reads its certificate only when it starts: restart it to serve the new one (agents reconnect by themselves)\n`;

/**
 * A new server certificate from the CA init made, for the server's own key, with the old one's
 * names and every --name. The CA certificate is not touched, so agents' caFingerprint pins and
 * every XENHERD_CA stay valid. Nothing is written until everything is checked; the old
 * certificate goes to tls.cert.bak first, then the new one replaces tls.cert (each written whole).
 */
async function renewCert(argv: readonly string[], io: CliIo, hooks: ControllerHooks, serviceCredential: string): Promise<number> {
  const refuse = (e: XhError): number => fail({ ...e, message: `${e.message}; nothing was changed` }, io);
  const specs = [...['config', 'days', 'ca-key'].map((name) => ({ name, takesValue: true })), { name: 'name', takesValue: true, repeatable: true }];
  const a = parseCommand(argv, specs, 0, 0, USAGE, NEEDS);
  if (!a.ok) return refuse(a.error);
  const added = namesGiven(a.value.repeated?.['name'] ?? []);
  if (!added.ok) return refuse(added.error);
  const daysText = optionString(a.value, 'days') ?? String(MAX_DAYS);
  const days = /^[1-9][0-9]{0,2}$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days <= MAX_DAYS)) return refuse(usage(`--days must be a whole number of days, 1-${MAX_DAYS} (longer certificates are refused by some TLS clients), not ${JSON.stringify(daysText)}`));
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return refuse(c.error);
  const s = renewalSources(c.value, optionString(a.value, 'ca-key'));
  if (!s.ok) return refuse(s.error);
  const names = namesFor(s.value, added.value);
  if (!names.ok) return refuse(names.error);

  const now = hooks.clock.now();
  const caEnd = Date.parse(s.value.ca.validTo);
  if (!(caEnd > now + DAY)) {
    return refuse({ code: 'XH_ERR_REFUSED', message: `the CA in ${s.value.caFile} (tls.ca) ${caEnd < now ? 'expired' : 'expires'} on ${utcMinuteText(caEnd)}, and clients refuse what it signed from then on: renew-cert cannot help; make a new CA (${BIN} init --dir NEW) and enroll the agents again` });
  }
  // a certificate outliving its CA would be refused from the CA's end on: it ends with the CA instead
  const cut = now + days * DAY > caEnd;
  const issued = makeServerCert(s.value.issuer, names.value, now, cut ? (caEnd - now) / DAY : days, s.value.serverKey);
  const fresh = new X509Certificate(issued.certPem);
  if (!fresh.checkIssued(s.value.ca) || !fresh.verify(s.value.ca.publicKey) || !fresh.checkPrivateKey(s.value.serverKey)) {
    return refuse({ code: 'XH_ERR_INTERNAL', message: `the certificate made does not verify against ${s.value.caFile} and ${s.value.keyFile}` });
  }

  const bak = `${s.value.certFile}.bak`;
  const kept = writeOwnFile(bak, s.value.oldPem, 0o644);
  if (!kept.ok) return refuse(kept.error);
  const written = writeOwnFile(s.value.certFile, issued.certPem, 0o644);
  if (!written.ok) return fail({ ...written.error, message: `${written.error.message}; ${s.value.certFile} is unchanged (and copied to ${bak})` }, io);

  const until = `${utcMinuteText(Date.parse(fresh.validTo))}${cut ? ", the CA's own end (plan a new CA before then)" : ` (${days} days)`}`;
  io.stdout(
    [
      `renewed ${s.value.certFile}: valid until ${until}, for ${names.value.join(', ')}`,
      `the previous certificate (valid until ${utcMinuteText(Date.parse(s.value.leaf.validTo))}) is kept as ${bak}`,
      `same key (${s.value.keyFile}) and same CA (${s.value.caFile}, fingerprint ${s.value.ca.fingerprint256}): agents' caFingerprint and XENHERD_CA stay as they are`,
      '',
    ].join('\n'),
  );
  io.stderr(restartText(existsSync(serviceCredential)));
  return 0;
}

export const renewCertCommand = (hooks: ControllerHooks, serviceCredential: string = SERVICE_CERT_CREDENTIAL): Command =>
  withHelp({
    name: 'renew-cert',
    summary: "Renew the server's TLS certificate from the CA init made: same key, same names (and any --name), same CA.",
    usage: `${USAGE}\nValid N days from now (default and at most ${MAX_DAYS}). The CA's key is read from ca.key beside tls.ca, where init writes it, unless --ca-key FILE. tls.ca is not touched, so agents' caFingerprint pins and XENHERD_CA files stay valid. The old certificate is kept as tls.cert + ".bak".\nserve reads its certificate when it starts: restart it (the packaged service: systemctl restart xenherd-controller). Run it as the user that owns the files (root for the packaged service).`,
    run: (argv, io) => renewCert(argv, io, hooks, serviceCredential),
  });
