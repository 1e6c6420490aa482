import { createHash } from 'node:crypto';
import UAParser from 'ua-parser-js';

export interface Device {
  /** What a person recognises: "Chrome 120 on Windows 10", "Mobile Safari 17 on Apple iPhone (iOS 17.1)". */
  name: string;
  type: string;
}

/** The first product token of a user agent the parser does not know, such as our own apps' "DevTinder/3.2.1". */
function productOf(userAgent: string): string | undefined {
  const match = /^([A-Za-z][\w .-]{0,40})\/(\d[\w.]{0,20})/.exec(userAgent);
  return match ? `${match[1]} ${match[2]}` : undefined;
}

export function describeDevice(userAgent: string | undefined): Device {
  if (!userAgent) return { name: 'Unknown device', type: 'unknown' };
  const { browser, os, device } = new UAParser(userAgent).getResult();
  const client = browser.name ? [browser.name, browser.major].filter(Boolean).join(' ') : productOf(userAgent);
  const system = [os.name, os.version].filter(Boolean).join(' ');
  const hardware = [device.vendor, device.model].filter(Boolean).join(' ');
  const platform = hardware ? (system ? `${hardware} (${system})` : hardware) : system;
  const name = [client, platform].filter(Boolean).join(' on ') || 'Unknown device';
  return { name: name.slice(0, 120), type: device.type ?? (os.name ? 'desktop' : 'unknown') };
}

/**
 * What makes a device "known": client, system and hardware without versions (an update is
 * not a new device), and the country (a known browser signing in from elsewhere is worth
 * telling the owner about too).
 */
export function deviceKey(userAgent: string | undefined, country: string | undefined): string {
  const { browser, os, device } = new UAParser(userAgent ?? '').getResult();
  const client = browser.name ?? productOf(userAgent ?? '')?.split(' ')[0] ?? '';
  const parts = [client, os.name, device.vendor, device.model, device.type, country].map((p) => p ?? '');
  return createHash('sha256').update(parts.join('|')).digest('base64url').slice(0, 22);
}
