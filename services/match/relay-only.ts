/**
 * Signaling for a call between strangers (a random video match) carries no address of either
 * side: only relayed ICE candidates pass, with their related address (the member's own public
 * address, which RFC 8445 keeps for diagnostics only) blanked, and an SDP's connection and
 * origin addresses are replaced. A host or server-reflexive candidate would hand the stranger
 * the member's IP, and with it a rough location. "Relayed" is checked by address, not by the
 * word: a candidate labelled relay that points at the sender's own server would draw the
 * other side's connectivity checks (from a client not held to relay-only) straight to it.
 * A call between connections keeps every candidate: they chose each other.
 */

import { canonicalIp } from '../../config/env-rules.js';

const BLANK_ADDRESS = '0.0.0.0';

/**
 * An ICE candidate line (`candidate:...`, with or without `a=`) as it may be relayed: null
 * unless it is of type relay and at one of our relays' addresses; its raddr/rport blanked.
 * The empty end-of-candidates line passes.
 */
export function relayedCandidate(line: string, relayAddresses: readonly string[]): string | null {
  if (line.trim() === '') return line;
  // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
  const parts = line.trim().split(/\s+/);
  const typ = parts.indexOf('typ');
  if (typ !== 6 || parts[typ + 1] !== 'relay') return null;
  const address = canonicalIp(parts[4]!);
  if (address === null || !relayAddresses.includes(address)) return null;
  for (let i = typ + 2; i < parts.length - 1; i += 2) {
    if (parts[i] === 'raddr') parts[i + 1] = BLANK_ADDRESS;
    else if (parts[i] === 'rport') parts[i + 1] = '0';
  }
  return parts.join(' ');
}

/**
 * An SDP as it may be relayed: candidates kept only when relayed (and blanked as above),
 * `c=` and `a=rtcp:` addresses 0.0.0.0 (ICE connects by candidates, not by these), the
 * origin's address 127.0.0.1 (as browsers write it), remote-candidate lists dropped.
 */
export function relayOnlySdp(sdp: string, relayAddresses: readonly string[]): string {
  const lines: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('a=candidate:')) {
      const kept = relayedCandidate(line.slice(2), relayAddresses);
      if (kept !== null) lines.push(`a=${kept}`);
    } else if (line.startsWith('a=remote-candidates:')) {
      continue;
    } else if (line.startsWith('c=')) {
      lines.push(`c=IN IP4 ${BLANK_ADDRESS}`);
    } else if (line.startsWith('a=rtcp:')) {
      const port = /^a=rtcp:(\d+)/.exec(line)?.[1] ?? '9';
      lines.push(`a=rtcp:${port} IN IP4 ${BLANK_ADDRESS}`);
    } else if (line.startsWith('o=')) {
      // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
      const fields = line.slice(2).split(' ');
      lines.push(fields.length >= 6 ? `o=${[...fields.slice(0, 3), 'IN', 'IP4', '127.0.0.1'].join(' ')}` : line);
    } else {
      lines.push(line);
    }
  }
  return lines.join('\r\n');
}
