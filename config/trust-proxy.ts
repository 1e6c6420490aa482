import { BlockList, isIP, isIPv4 } from 'node:net';
import express from 'express';

/** Express "trust proxy" as the environment gives it: false, true, a hop count, or a list. */
export type TrustProxySetting = boolean | number | string;

/** The names proxy-addr knows; every range behind them is private. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Where a proxy can sit: loopback, link-local and the private ranges (proxy-addr's names). */
const PRIVATE_RANGES = (
  [
    ['127.0.0.0', 8, 'ipv4'],
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['169.254.0.0', 16, 'ipv4'],
    ['::1', 128, 'ipv6'],
    ['fc00::', 7, 'ipv6'],
    ['fe80::', 10, 'ipv6'],
  ] as const
).map(([net, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, prefix, family };
});

const mappedIPv4 = new BlockList();
mappedIPv4.addSubnet('::ffff:0:0', 96, 'ipv6');

interface ListedRange {
  address: string;
  /** How the address is written. */
  written: 'ipv4' | 'ipv6';
  /** The range it names: an IPv4-mapped /96 or longer names an IPv4 one. */
  family: 'ipv4' | 'ipv6';
  prefix: number;
}

/**
 * One entry of the list (an address, address/prefix or address/netmask) as net reads it, or
 * undefined when net refuses what ipaddr.js accepted: 011.0.0.0 (octal 9.0.0.0), 10.1, hex,
 * zone ids. An IPv4-mapped range of /96 or longer is the IPv4 range proxy-addr matches it as.
 */
function readEntry(entry: string): ListedRange | undefined {
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const mask = slash === -1 ? undefined : entry.slice(slash + 1);
  const version = isIP(address);
  if (version === 0 || address.includes('%')) return undefined;
  let prefix: number;
  if (mask === undefined) prefix = version === 4 ? 32 : 128;
  else if (/^\d+$/.test(mask)) prefix = Number(mask);
  // A dotted netmask: proxy-addr has already refused one that is not contiguous.
  else if (isIPv4(mask)) prefix = mask.split('.').reduce((bits, octet) => bits + popCount(Number(octet)), 0);
  else return undefined;
  const written = version === 4 ? 'ipv4' : 'ipv6';
  if (written === 'ipv6' && prefix >= 96 && mappedIPv4.check(address, 'ipv6')) {
    return { address, written, family: 'ipv4', prefix: prefix - 96 };
  }
  return { address, written, family: written, prefix };
}

function popCount(octet: number): number {
  return octet.toString(2).replace(/0/g, '').length;
}

/** CIDR blocks nest: a range is inside a private one when its prefix is no shorter and its address inside. */
function isPrivate({ address, written, family, prefix }: ListedRange): boolean {
  return PRIVATE_RANGES.some((range) => range.family === family && prefix >= range.prefix && range.list.check(address, written));
}

/**
 * What is wrong with a trust-proxy setting. A probe app compiles it the way createApp will, so
 * a malformed address is named at start-up everywhere. Every listed entry must be plainly
 * written, and in production lie inside loopback, link-local or private ranges: trusting a
 * public sender (true, a hop count, a public range) would let a client reaching the port
 * directly choose the address every per-address limit counts and its audit records show.
 */
export function trustProxyProblems(value: TrustProxySetting, production: boolean): string[] {
  try {
    express().set('trust proxy', value);
  } catch (err) {
    // config/ imports nothing of the app: not even utils/logger's errorMessage.
    const message = err instanceof Error ? err.message : String(err);
    return [`TRUST_PROXY: ${message} (use loopback, or the proxy's addresses or subnets)`];
  }
  if (value === true || (typeof value === 'number' && value > 0)) {
    return production
      ? ['TRUST_PROXY: trusts any sender in production (true or a hop count); name the proxy: loopback or its subnet']
      : [];
  }
  if (typeof value !== 'string') return [];
  const problems: string[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    if (NAMED_RANGES.has(entry)) continue;
    const range = readEntry(entry);
    if (!range) {
      problems.push(`TRUST_PROXY: "${entry}" is not a plainly written address (no leading zeros, hex or short forms)`);
    } else if (production && !isPrivate(range)) {
      problems.push(
        `TRUST_PROXY: "${entry}" reaches public addresses; in production name the proxy: loopback or its private subnet`,
      );
    }
  }
  return problems;
}
