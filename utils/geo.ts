export interface LatLng {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: LatLng, b: LatLng): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const BANDS = [1, 5, 10, 25, 50, 100, 250, 500];

/** A coarse band such as "5-10 km": close enough to be useful, too coarse to locate anyone. */
export function distanceBand(km: number): string {
  if (km < BANDS[0]!) return 'less than 1 km';
  for (let i = 1; i < BANDS.length; i++) if (km < BANDS[i]!) return `${BANDS[i - 1]}-${BANDS[i]} km`;
  return `more than ${BANDS[BANDS.length - 1]} km`;
}
