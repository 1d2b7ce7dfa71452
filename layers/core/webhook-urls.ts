// Which webhook URLs and addresses may be called: one set of rules, used when a client gives a
// resolution_endpoint (the URL is refused with a 400 then) and again by the delivery
// (functions/webhook/outbound.ts) on every address the host resolves to and on every redirect.
import { BlockList, isIP } from 'node:net';
import { badValue } from './errors';
import { LIMITS } from './limits';

/** Never reachable, whatever the configuration: cloud metadata endpoints, reserved ranges. */
const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, EC2/ECS metadata
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_BLOCKED.addAddress('fd00:ec2::254', 'ipv6');
ALWAYS_BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_BLOCKED.addAddress('::', 'ipv6');
ALWAYS_BLOCKED.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast and reserved, up to 255.255.255.255
ALWAYS_BLOCKED.addSubnet('ff00::', 8, 'ipv6');

/** Loopback and private networks: allowed only with OZ_WEBHOOK_ALLOW_PRIVATE=true (local development). */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::1', 128], ['fc00::', 7], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (any spelling: "::", an embedded dotted IPv4). */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const b = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const v4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** Why an address may not be called, or null when it may. */
export function addressVerdict(address: string, allowPrivate: boolean): string | null {
  let ip = address.replace(/^\[|\]$/g, '');
  let family: 'ipv4' | 'ipv6' = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (family === 'ipv6') {
    const g = ipv6Groups(ip);
    if (!g) return `${address} is not an address`;
    const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
    if (zeros(5) && g[5] === 0xffff) {
      ip = v4Of(g[6]!, g[7]!); // IPv4-mapped (::ffff:a.b.c.d): the IPv4 rules apply
      family = 'ipv4';
    } else if (zeros(6) && (g[6] !== 0 || g[7]! > 1)) {
      return `${address} is an IPv4-compatible IPv6 address (deprecated; ::a.b.c.d reaches IPv4 hosts)`;
    } else if (g[0] === 0x2002) {
      const why = addressVerdict(v4Of(g[1]!, g[2]!), allowPrivate); // 6to4 carries an IPv4 address
      if (why) return `${address} embeds ${v4Of(g[1]!, g[2]!)}: ${why}`;
    }
  }
  if (ALWAYS_BLOCKED.check(ip, family)) return `${address} is a link-local, metadata or reserved address`;
  if (!allowPrivate && PRIVATE.check(ip, family)) return `${address} is a loopback or private address (set OZ_WEBHOOK_ALLOW_PRIVATE=true for local development)`;
  return null;
}

/**
 * Why a webhook URL may not be called, or null when it may, judged without DNS: scheme, credentials,
 * and a host that is an address (or localhost) under the address rules. A host name is resolved
 * and judged again at every delivery.
 */
export function urlVerdict(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'it is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https URLs are called, not ${url.protocol}`;
  if (url.username || url.password) return 'URLs with credentials are not called';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return 'the URL has no host';
  if (isIP(host)) return addressVerdict(host, allowPrivate);
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) return `${host} is a loopback name (set OZ_WEBHOOK_ALLOW_PRIVATE=true for local development)`;
  return null;
}

/** A resolution_endpoint as a client gives it: null/"" for none, otherwise a URL that may be called. */
export function resolutionEndpointOf(value: unknown, allowPrivate: boolean): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw badValue('resolution_endpoint must be a URL string');
  if (value.length > LIMITS.urlChars) throw badValue(`resolution_endpoint is at most ${LIMITS.urlChars} characters`);
  const why = urlVerdict(value.trim(), allowPrivate);
  if (why) throw badValue(`resolution_endpoint is refused: ${why}`, { field: 'resolution_endpoint', reason: why });
  return value.trim();
}
