import { BlockList, isIP } from "node:net";
import { env } from "@/env";

/**
 * The client's address, for the per-address sign-in limit, audit rows and loopback-only metrics.
 * By default it is the socket's peer and nothing the caller sends. Behind a reverse proxy (the
 * TLS terminator DEPLOYMENT.md assumes) every peer is the proxy, so TRUSTED_PROXIES lists the
 * proxies' addresses or CIDR ranges: only when the peer is one of them is `X-Forwarded-For` read,
 * right to left, skipping further trusted hops; the first address not in the list is the client.
 * An untrusted peer's X-Forwarded-For is ignored, so nobody can choose their own address.
 */

/** Parses TRUSTED_PROXIES ("10.0.0.5, 10.1.0.0/16, ::1"); throws naming the bad entry. */
export function parseTrustedProxies(raw: string | undefined): BlockList | null {
  const entries = (raw ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? null : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== null && (!/^\d{1,3}$/.test(prefix ?? "") || bits > maxBits))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.1.0.0/16, fd00::/8)`);
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === null) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

/** "::ffff:10.0.0.5" (an IPv4 peer on a dual-stack socket) is 10.0.0.5. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}

export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | null | undefined, trusted: BlockList | null): string {
  const peer = socketAddress ? normalise(socketAddress) : "unknown";
  if (!trusted || !isTrusted(peer, trusted) || !forwardedFor) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map((hop) => normalise(hop.trim()));
  // Right to left: each trusted proxy appended the address it saw. Stop at the first hop that is
  // not a trusted proxy; a malformed entry ends the walk at the last proxy that vouched for it.
  let client = peer;
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] ?? "";
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!isTrusted(hop, trusted)) return hop;
  }
  return client;
}

let fromEnvironment: { list: BlockList | null } | undefined;

/**
 * The client address of a node:http request. `trusted` defaults to TRUSTED_PROXIES (validated by
 * src/env.ts, read once); test servers pass their own.
 */
export function clientAddressOf(
  req: { socket: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> },
  trusted?: BlockList | null,
): string {
  if (trusted === undefined) {
    fromEnvironment ??= { list: parseTrustedProxies(env().TRUSTED_PROXIES) };
    trusted = fromEnvironment.list;
  }
  return clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
}
