import { createHash } from 'node:crypto';
import UAParser from 'ua-parser-js';

export interface Device {
  /** What a person recognises: "Chrome 120 on Windows 10", "Mobile Safari 17 on Apple iPhone (iOS 17.1)". */
  name: string;
  type: string;
  /**
   * What makes a device "known": client, system and hardware without versions (an update
   * is not a new device), and the country (a known browser signing in from elsewhere is
   * worth telling the owner about too).
   */
  key: string;
}

/** The first product token of a user agent the parser does not know, such as our own apps' "DevTinder/3.2.1". */
function productOf(userAgent: string): { name: string; version: string } | undefined {
  const match = /^([A-Za-z][\w .-]{0,40})\/(\d[\w.]{0,20})/.exec(userAgent);
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

/** The device behind a user agent, parsed once, seen from a country. */
export function deviceOf(userAgent: string | undefined, country: string | undefined): Device {
  const { browser, os, device } = new UAParser(userAgent ?? '').getResult();
  const product = userAgent ? productOf(userAgent) : undefined;
  const client = browser.name
    ? [browser.name, browser.major].filter(Boolean).join(' ')
    : product && `${product.name} ${product.version}`;
  const system = [os.name, os.version].filter(Boolean).join(' ');
  const hardware = [device.vendor, device.model].filter(Boolean).join(' ');
  const platform = hardware ? (system ? `${hardware} (${system})` : hardware) : system;
  const name = [client, platform].filter(Boolean).join(' on ') || 'Unknown device';
  const parts = [browser.name ?? product?.name, os.name, device.vendor, device.model, device.type, country];
  return {
    name: name.slice(0, 120),
    type: device.type ?? (os.name ? 'desktop' : 'unknown'),
    key: createHash('sha256')
      .update(parts.map((p) => p ?? '').join('|'))
      .digest('base64url')
      .slice(0, 22),
  };
}
