import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { env } from "@/env";
import { AppError } from "@/server/lib/errors";

/**
 * SSRF guard for webhook targets (PRODUCT.md §5). Unless ALLOW_PRIVATE_WEBHOOK_TARGETS=true
 * (refused in production by src/env.ts), a URL must be https and every address its host resolves
 * to must be public: no loopback, private, link-local, CGNAT, cloud metadata, unspecified,
 * multicast/reserved, or IPv4-mapped/NAT64 forms of those. Checked when an endpoint is saved and
 * again at send time, where the sender also checks the address it actually connects to
 * (`guardedLookup`), so a DNS answer that changes between check and connect is caught.
 */

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. 169.254.169.254 metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique local, incl. fd00:ec2::254 (AWS metadata)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
  ["2001:db8::", 32], // documentation
  ["100::", 64], // discard
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), compatible or NAT64 IPv6 address. */
function embeddedIPv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = lower.match(/^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) return dotted[1]!;
  const hex = lower.match(/^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** True when `address` (IPv4 or IPv6 literal) is one webhooks must never reach. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return blocked.check(address, "ipv4");
  const mapped = embeddedIPv4(address);
  if (mapped) return blocked.check(mapped, "ipv4");
  return blocked.check(address, "ipv6");
}

export interface TGuardOptions {
  /** Defaults to env().ALLOW_PRIVATE_WEBHOOK_TARGETS. */
  allowPrivate?: boolean;
  /** Resolver (tests); defaults to dns.lookup with all: true. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

const defaultResolve = (host: string) => lookup(host, { all: true, verbatim: true });

function refuse(message: string): AppError {
  return new AppError("BAD_REQUEST", `Webhook URL refused: ${message}`, { errors: [{ path: "url", message }] });
}

/** Throws a 400 (field `url`) when the URL may not be used as a webhook target. */
export async function assertSafeWebhookUrl(raw: string, options: TGuardOptions = {}): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse("use https");
  if (url.username || url.password) throw refuse("credentials in the URL are not allowed");
  const allowPrivate = options.allowPrivate ?? env().ALLOW_PRIVATE_WEBHOOK_TARGETS;
  if (allowPrivate) return url;
  if (url.protocol !== "https:") throw refuse("use https");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: { address: string }[];
  try {
    addresses = isIP(host) ? [{ address: host }] : await (options.resolve ?? defaultResolve)(host);
  } catch {
    throw refuse("the host name does not resolve");
  }
  if (addresses.length === 0) throw refuse("the host name does not resolve");
  const bad = addresses.find((entry) => isForbiddenAddress(entry.address));
  if (bad) throw refuse("it resolves to a private, loopback, link-local or metadata address");
  return url;
}

type TLookupCallback = (error: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses forbidden addresses at connect time (the address the
 * socket actually uses), unless private targets are allowed.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number } | number, callback: TLookupCallback) => {
    const all = typeof options === "object" && options.all === true;
    lookup(hostname, { all: true, verbatim: true }).then(
      (entries) => {
        const bad = allowPrivate ? undefined : entries.find((entry) => isForbiddenAddress(entry.address));
        if (bad || entries.length === 0) {
          const error = Object.assign(new Error(`webhook target ${hostname} resolves to a forbidden address`), { code: "EFORBIDDENADDRESS" });
          callback(error, "", 0);
          return;
        }
        if (all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}
