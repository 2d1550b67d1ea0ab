import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as lookupCallback } from 'node:dns';

/**
 * Addresses a webhook may not reach (SSRF): this machine, private networks, link-local (cloud
 * metadata at 169.254.169.254), unique-local, carrier-grade NAT, multicast and reserved ranges.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  // IPv4-compatible (deprecated), NAT64 and 6to4 forms embed an IPv4 address that a gateway may
  // reach: any of them could be a private one (found by a review: [64:ff9b::7f00:1] passed).
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['fec0::', 10],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** True when the address is in a refused range; an IPv4-mapped IPv6 address is judged as its IPv4 address. */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Hosts are compared without brackets and case, so "[::1]" in a URL matches "::1" in the list. */
const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** An address literal in a URL that is refused (not allow-listed); names are checked by guardedLookup as they resolve. */
export function isRefusedLiteral(hostname: string, allowHosts: readonly string[]): boolean {
  const host = bare(hostname);
  return isIP(host) !== 0 && isBlockedAddress(host) && !allowHosts.some((h) => bare(h) === host);
}

export class TargetRefused extends Error {}

const RESOLVE_TIMEOUT_MS = 3_000;

/**
 * Checks a subscription's URL when it is created or changed: http(s) only, and a host that
 * neither is nor resolves to a refused address, unless the host (or an address it resolves to)
 * is allow-listed. Delivery checks again at connect time (guardedLookup), since DNS may change.
 */
export async function checkTarget(url: URL, allowHosts: readonly string[]): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused('Only http and https URLs can receive webhooks.');
  const allow = new Set(allowHosts.map(bare));
  const host = bare(url.hostname);
  if (allow.has(host)) return;
  const addresses = isIP(host) ? [host] : await resolve(host);
  const refused = addresses.filter((a) => !allow.has(a) && isBlockedAddress(a));
  if (refused.length > 0) {
    throw new TargetRefused(
      `"${url.hostname}" ${isIP(host) ? 'is' : `resolves to ${refused.join(', ')}, which is`} a loopback, private, link-local or reserved address; webhooks may not target it unless it is listed in WEBHOOK_ALLOW_HOSTS.`,
    );
  }
}

async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), RESOLVE_TIMEOUT_MS);
      }),
    ]);
    return found.map((a) => a.address);
  } catch {
    throw new TargetRefused(`"${host}" does not resolve to an address.`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The DNS lookup a delivery connects with: it refuses refused addresses at the moment of
 * connecting, so a name that resolved to a public address when the subscription was made and
 * to 127.0.0.1 later (DNS rebinding) is still refused.
 */
export function guardedLookup(allowHosts: readonly string[]): LookupFunction {
  const allow = new Set(allowHosts.map(bare));
  return (hostname, options, callback) => {
    lookupCallback(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const ok = allow.has(bare(hostname)) ? list : list.filter((a) => allow.has(a.address) || !isBlockedAddress(a.address));
      if (ok.length === 0) {
        const e = Object.assign(new Error(`${hostname} resolves only to refused addresses`), { code: 'EREFUSEDADDRESS' });
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof ok) => void)(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}
