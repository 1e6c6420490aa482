import { z } from 'zod';
import { canonicalIp, csv, defineArea, int } from '../env-rules.js';

// A public STUN server, enough for development; production names its own (and TURN).
const DEV_STUN_URLS = ['stun:stun.l.google.com:19302'];

/** The host of a turn:/turns: URL when it is an IP address (turn:203.0.113.5:3478, turn:[2001:db8::5]). */
function ipHostOf(url: string): string | null {
  const rest = url.replace(/^turns?:/i, '').split('?')[0]!;
  const ip = canonicalIp(rest.startsWith('[') ? rest.slice(1, rest.indexOf(']')) : rest.split(':')[0]!);
  // Browsers write an IPv4 relay as itself, never as ::ffff:: such a URL names no usable address.
  return ip?.startsWith('::ffff:') ? null : ip;
}

/**
 * Where relayed candidates may point, as browsers write addresses: the ones given, else the
 * TURN URLs' hosts when every one is an IP (a host name may resolve to relays not listed).
 */
function relayAddressesOf(e: { TURN_URLS: string[]; TURN_RELAY_IPS: string[] }): string[] {
  if (e.TURN_RELAY_IPS.length) return e.TURN_RELAY_IPS.map((ip) => canonicalIp(ip) ?? ip);
  const hosts = e.TURN_URLS.map(ipHostOf);
  return hosts.every((ip) => ip !== null) ? hosts : [];
}

/** Random matching and calls: response and ring timeouts, cool-down, ICE servers. */
export const calls = defineArea({
  vars: {
    CALL_RING_TIMEOUT_MS: int(30_000, 200, 300_000),
    MATCH_RESPONSE_MS: int(20_000, 200, 300_000),
    MATCH_COOLDOWN_MINUTES: int(60, 0, 43_200),
    MATCH_ROUND_MS: int(250, 20, 10_000),
    // A partner card older than this (its owner waited longer) is read again when a match is found.
    MATCH_CARD_MAX_AGE_MS: int(30_000, 0, 600_000),
    // The adaptive ranking: off (explicit), on, or an A/B split by user; and its share of the score.
    MATCHING_MODE: z.enum(['explicit', 'adaptive', 'ab']).default('adaptive'),
    MATCHING_BLEND: z.coerce.number().min(0).max(1).default(0.8),
    TASTE_LEARN_MS: int(5000, 50, 600_000),
    STUN_URLS: csv,
    TURN_URLS: csv,
    TURN_SECRET: z.string().min(16).optional(),
    // The addresses coturn relays from (its external-ip, else relay-ip): a random match's call
    // passes on relayed candidates of these only. Defaults to the TURN_URLS' IP hosts.
    TURN_RELAY_IPS: csv
      .refine((ips) => ips.every((ip) => canonicalIp(ip) !== null), 'each must be an IP address')
      .refine((ips) => !ips.some((ip) => canonicalIp(ip)?.startsWith('::ffff:')), 'write an IPv4 address as itself, not ::ffff:'),
    TURN_TTL_SECONDS: int(3600, 60, 86_400),
  },
  check: (e) => [
    ...(e.TURN_URLS.length && !e.TURN_SECRET ? ['TURN_SECRET: required with TURN_URLS (coturn static-auth-secret)'] : []),
    ...(e.TURN_URLS.length && !relayAddressesOf(e).length
      ? ['TURN_RELAY_IPS: required when any of TURN_URLS names a host (the addresses coturn relays from: its external-ip)']
      : []),
  ],
  settings: (e) => ({
    match: {
      responseMs: e.MATCH_RESPONSE_MS,
      coolDownMs: e.MATCH_COOLDOWN_MINUTES * 60_000,
      roundMs: e.MATCH_ROUND_MS,
      cardMaxAgeMs: e.MATCH_CARD_MAX_AGE_MS,
      mode: e.MATCHING_MODE,
      blend: e.MATCHING_BLEND,
      // How often the learner applies queued signals (one process at a time).
      learnMs: e.TASTE_LEARN_MS,
    },
    calls: {
      ringTimeoutMs: e.CALL_RING_TIMEOUT_MS,
      stunUrls: e.STUN_URLS.length ? e.STUN_URLS : DEV_STUN_URLS,
      turnUrls: e.TURN_URLS,
      turnSecret: e.TURN_SECRET,
      turnRelayIps: relayAddressesOf(e),
      turnTtlSeconds: e.TURN_TTL_SECONDS,
    },
  }),
});
