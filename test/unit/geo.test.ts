import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import {
  bandIndex,
  bandRadiusKm,
  coarseDistanceKm,
  coarsePoint,
  coveringCells,
  distanceBand,
  distanceKm,
  geoCellsOf,
  hiddenRegionCellOf,
  regionCellOf,
} from '../../utils/geo.js';

const offsetKm = (p: { lat: number; lng: number }, northKm: number, eastKm = 0) => ({
  lat: p.lat + northKm / 110.574,
  lng: p.lng + eastKm / (111.32 * Math.cos((p.lat * Math.PI) / 180)),
});

describe('geo cells', () => {
  it('cover every point within the radius with few cells', () => {
    for (let i = 0; i < 300; i++) {
      const center = { lat: randomInt(-85_000, 85_000) / 1000, lng: randomInt(-180_000, 180_000) / 1000 };
      const km = [1, 5, 20, 80, 200, 500][i % 6]!;
      const cells = new Set(coveringCells(center, km));
      expect(cells.size).to.be.at.most(12);
      for (let j = 0; j < 20; j++) {
        const bearing = (j / 20) * 2 * Math.PI;
        const point = offsetKm(center, km * 0.999 * Math.cos(bearing), km * 0.999 * Math.sin(bearing));
        point.lng = ((((point.lng + 180) % 360) + 360) % 360) - 180;
        if (Math.abs(point.lat) > 90 || distanceKm(center, point) > km) continue;
        expect(
          geoCellsOf(point).some((c) => cells.has(c)),
          `${JSON.stringify(center)} ${km} km misses ${JSON.stringify(point)}`,
        ).to.equal(true);
      }
    }
  });
});

describe('coarse positions and bands', () => {
  it('keeps a position only as the centre of its ~1 km cell, the same for every point in it', () => {
    for (let i = 0; i < 500; i++) {
      const p = { lat: randomInt(-89_000, 89_000) / 1000, lng: randomInt(-180_000, 179_999) / 1000 };
      const c = coarsePoint(p);
      expect(distanceKm(p, c), JSON.stringify(p)).to.be.below(1.2);
      expect(coarsePoint(c), 'a centre is its own cell').to.deep.equal(c);
      // A point a few metres away in the same cell lands on the same centre.
      const nudged = { lat: c.lat + 0.001, lng: c.lng };
      expect(coarsePoint(nudged)).to.deep.equal(c);
    }
    expect(coarsePoint({ lat: 10, lng: 179.999 }).lng).to.be.within(-180, 180);
  });

  it('widens every radius to its band edge, so a radius moved a km at a time answers by band only', () => {
    expect([1, 3, 5, 6, 9, 10, 11, 30, 100, 300, 500].map(bandRadiusKm)).to.deep.equal([
      1, 5, 5, 10, 10, 10, 25, 50, 100, 500, 500,
    ]);
    for (const km of [0.2, 3, 7, 17, 40, 80, 200, 400, 900]) {
      // Inside a radius exactly when the band starts below it.
      for (const radius of [1, 2, 4, 5, 8, 10, 20, 25, 45, 50, 99, 100, 240, 250, 499, 500]) {
        const inside = km < bandRadiusKm(radius);
        const bandStart = [0, 1, 5, 10, 25, 50, 100, 250, 500][bandIndex(km)]!;
        expect(inside, `${km} km within ${radius}`).to.equal(bandStart < radius);
      }
    }
    expect(distanceBand(7)).to.equal('5-10 km');
  });

  it('gives people hiding their distance a region cell of their own', () => {
    const p = { lat: 48.85, lng: 2.35 };
    expect(hiddenRegionCellOf(p)).to.equal(`h${regionCellOf(p)}`);
    expect(geoCellsOf(p)).to.include(regionCellOf(p)).and.not.include(hiddenRegionCellOf(p));
    expect(coarseDistanceKm(p, p)).to.equal(0);
  });
});
