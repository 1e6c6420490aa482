import { ipKeyGenerator } from 'express-rate-limit';

// IPv4 clients through NAT64 (64:ff9b::/96: the last 32 bits are the IPv4 address), as nginx or Node write them.
const NAT64 = /^64:ff9b::(?:(?:[0-9a-f]{1,4}:)?[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The client an address stands for, as limits count it: an IPv4 address, an IPv6 network of
 * /56 (express-rate-limit's ipKeyGenerator: one host may hold many addresses), and an IPv4
 * client translated to IPv6 by NAT64 by its own address (else every such client shares one
 * budget, and one abuser locks all of them out).
 */
export const clientNetwork = (address: string): string => (NAT64.test(address) ? address.toLowerCase() : ipKeyGenerator(address));
