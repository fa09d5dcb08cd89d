import type { NicConfig } from '../model/types.js';

/**
 * xl.cfg's `vif = [ 'KEY=VALUE,…', … ]` read as Xen 4.17.7's xl reads it: tools/xl/xl_parse.c
 * parse_config_data gives each entry its index as devid (ARRAY_EXTEND_INIT) and hands each
 * comma-separated token to parse_nic_config, whose complaints go to stderr without stopping the
 * parse. The sim keeps what `xl list -l` prints back; rate=, forwarddev= and the colo_* settings are
 * accepted but not kept (the sim's guests never set them). No xl.conf vif.default.* is modelled:
 * Debian ships them commented out.
 */
export interface VifList {
  readonly nics: NicConfig[];
  /** parse_nic_config's complaints, in order */
  readonly notes: string;
  /** parse_ulong's message when devid= or mtu= is not a number: xl exits 1 */
  readonly refusal: string | null;
}

const UNKEPT = /^(rate|forwarddev|colo_[a-z0-9_]+)=/;

const blankNic = (devid: number): NicConfig => ({
  backendDomname: null, devid, mtu: 0, model: null, mac: null, ip: null, bridge: null, ifname: null, script: null, nictype: null, gatewaydev: null, trusted: null,
});

/**
 * mac=: six strtoul(…, 16) reads, each skipping one separator character; a bad byte stops the
 * read with the bytes before it kept. All zero is libxl's "unset" (libxl__mac_is_default).
 */
function readMac(arg: string): { mac: string | null; bad: boolean } {
  const bytes = [0, 0, 0, 0, 0, 0];
  let rest = arg;
  let bad = false;
  for (let i = 0; i < 6; i++) {
    const m = /^\s*(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/.exec(rest);
    const digits = m?.[1]?.replace(/^0+/, '') ?? '';
    if (!m || digits.length > 2) {
      bad = true;
      break;
    }
    bytes[i] = parseInt(digits || '0', 16);
    rest = rest.slice(m[0].length + 1);
  }
  const mac = bytes.every((b) => b === 0) ? null : bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  return { mac, bad };
}

/** parse_ulong: strtoul base 10; no digits at all makes xl exit */
const readUlong = (arg: string): number | null => {
  const m = /^\s*\+?(\d+)/.exec(arg);
  return m ? Number(m[1]) : null;
};

export function readVifs(items: readonly string[]): VifList {
  const nics: NicConfig[] = [];
  let notes = '';
  for (const [devid, item] of items.entries()) {
    let nic = blankNic(devid);
    // strtok(buf, ","): empty tokens vanish; leading blanks are skipped, trailing ones kept
    for (const raw of item.split(',').filter((t) => t !== '')) {
      const token = raw.replace(/^ +/, '');
      const opt = (key: string): string | null => (token.startsWith(`${key}=`) ? token.slice(key.length + 1) : null);
      let v: string | null;
      if ((v = opt('type')) !== null) {
        if (v === 'vif') nic = { ...nic, nictype: 'vif' };
        else if (v === 'ioemu') nic = { ...nic, nictype: 'vif_ioemu' };
        else notes += "Invalid parameter `type'.\n";
      } else if ((v = opt('mac')) !== null) {
        const { mac, bad } = readMac(v);
        nic = { ...nic, mac };
        if (bad) notes += "Invalid parameter `mac'.\n";
      } else if ((v = opt('bridge')) !== null) nic = { ...nic, bridge: v };
      else if ((v = opt('netdev')) !== null) {
        notes += 'the netdev parameter is deprecated, please use gatewaydev instead\n';
        nic = { ...nic, gatewaydev: v };
      } else if ((v = opt('gatewaydev')) !== null) nic = { ...nic, gatewaydev: v };
      else if ((v = opt('ip')) !== null) nic = { ...nic, ip: v };
      else if ((v = opt('script')) !== null) nic = { ...nic, script: v };
      else if ((v = opt('backend')) !== null) nic = { ...nic, backendDomname: v };
      else if ((v = opt('vifname')) !== null) nic = { ...nic, ifname: v };
      else if ((v = opt('model')) !== null) nic = { ...nic, model: v };
      else if (UNKEPT.test(token)) continue;
      else if (opt('accel') !== null) notes += 'the accel parameter for vifs is currently not supported\n';
      else if ((v = opt('devid')) !== null || (v = opt('mtu')) !== null) {
        const n = readUlong(v);
        if (n === null) return { nics, notes, refusal: `xl: failed to convert "${v}" to number\n` };
        nic = token.startsWith('devid=') ? { ...nic, devid: n } : { ...nic, mtu: n };
      } else if (token === 'trusted' || token === 'untrusted') nic = { ...nic, trusted: token === 'trusted' };
      else notes += `unrecognized argument \`${token}'\n`;
    }
    nics.push(nic);
  }
  return { nics, notes, refusal: null };
}
