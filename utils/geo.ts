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

/** Distance between two people as anyone may learn it: between the centres of their grid cells. */
export const coarseDistanceKm = (a: LatLng, b: LatLng): number => distanceKm(coarsePoint(a), coarsePoint(b));

/** Which band a distance falls in: 0 for under 1 km up to BANDS.length for beyond the last. */
export function bandIndex(km: number): number {
  const i = BANDS.findIndex((edge) => km < edge);
  return i < 0 ? BANDS.length : i;
}

export const BAND_COUNT = BANDS.length + 1;

/**
 * A radius as distance filters apply it: widened to the band edge at or above it, so
 * whether someone is inside depends on their band alone (a radius moved a kilometre at a
 * time cannot find where anyone is inside a band).
 */
export function bandRadiusKm(km: number): number {
  return BANDS.find((edge) => edge >= km) ?? Math.max(km, BANDS[BANDS.length - 1]!);
}

// Stored positions are cell centres of a grid of about 1.1 km: a kilometre, never a doorstep.
const GRID_DEG = 0.01;
const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

/**
 * The position kept for a person: the centre of their ~1.1 km grid cell (columns widen
 * toward the poles to stay about as wide as they are tall). Every distance anyone sees or
 * filters by is computed from these, so no answer can be finer than the grid.
 */
export function coarsePoint(p: LatLng): LatLng {
  const row = Math.floor(p.lat / GRID_DEG);
  const lat = Math.min(90, Math.max(-90, (row + 0.5) * GRID_DEG));
  const lngStep = GRID_DEG / Math.max(Math.cos(rad(lat)), 0.05);
  const col = Math.floor((p.lng + 180) / lngStep);
  // The last column of a turn is narrower: its centre wraps round the antimeridian.
  const lng = (((col + 0.5) * lngStep) % 360) - 180;
  return { lat: round5(lat), lng: round5(lng) };
}

/**
 * Grid cells for "within N km" as equality lookups, which MongoDB and FerretDB both
 * serve from an index. Each level is a lat/lng grid of `size` degrees; the last is
 * 1-degree latitude bands, for radii or latitudes the grids cover only with many cells.
 */
const GRID_SIZES = [0.05, 0.2, 1, 5];
const MAX_CELLS = 9;
const KM_PER_DEGREE_LAT = 110.574;
const KM_PER_DEGREE_LNG_AT_EQUATOR = 111.32;

const gridCell = (level: number, row: number, col: number) => `g${level}:${row}:${col}`;
const bandCell = (row: number) => `b:${row}`;

/** The region (1-degree grid cell) a point lies in: where people who hide their distance are matched. */
export const regionCellOf = (p: LatLng): string =>
  gridCell(2, Math.floor(p.lat / GRID_SIZES[2]!), Math.floor(p.lng / GRID_SIZES[2]!));

/**
 * The cell only people who hide their distance store (beside the others): finding them in
 * a region is then one equality that selects them alone.
 */
export const hiddenRegionCellOf = (p: LatLng): string => `h${regionCellOf(p)}`;

/** The cells a point lies in, one per level: stored with the location. */
export function geoCellsOf(p: LatLng): string[] {
  return [
    ...GRID_SIZES.map((size, level) => gridCell(level, Math.floor(p.lat / size), Math.floor(p.lng / size))),
    bandCell(Math.floor(p.lat)),
  ];
}

/** Cells that together cover every point within `km` of `center`: at most MAX_CELLS grid cells, else bands. */
export function coveringCells(center: LatLng, km: number): string[] {
  const dLat = km / KM_PER_DEGREE_LAT;
  const latMin = Math.max(-90, center.lat - dLat);
  const latMax = Math.min(90, center.lat + dLat);
  const poleward = Math.max(Math.abs(latMin), Math.abs(latMax));
  const cos = Math.cos(rad(poleward));
  const dLng = cos > 1e-9 ? km / (KM_PER_DEGREE_LNG_AT_EQUATOR * cos) : Infinity;
  const wholeWorld = dLng >= 180;

  for (const [level, size] of GRID_SIZES.entries()) {
    const perTurn = Math.round(360 / size);
    const firstCol = Math.floor(-180 / size);
    const rows = range(Math.floor(latMin / size), Math.floor(latMax / size));
    const cols = wholeWorld
      ? range(firstCol, firstCol + perTurn - 1)
      : range(Math.floor((center.lng - dLng) / size), Math.floor((center.lng + dLng) / size));
    if (rows.length * cols.length > MAX_CELLS) continue;
    // Columns past the antimeridian wrap round to the other side.
    const wrapped = [...new Set(cols.map((c) => ((((c - firstCol) % perTurn) + perTurn) % perTurn) + firstCol))];
    return rows.flatMap((row) => wrapped.map((col) => gridCell(level, row, col)));
  }
  return range(Math.floor(latMin), Math.floor(latMax)).map(bandCell);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
