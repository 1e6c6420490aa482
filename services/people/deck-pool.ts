import { User } from '../../models/user.model.js';
import { TASTE_FIELDS } from '../match/taste/taste.service.js';

// People kept per cell or interest, most recently active first: enough to rank a feed of
// several pages; swiped people drop out, so the next most active come in.
const CANDIDATES_PER_DRIVER = 100;
// Pages of that size read from one cell or interest at most, per request, while people passed
// over here (blocked, or swiped but not left out by the query) thin them.
const PAGES_PER_DRIVER = 5;
// Only what ranking and the two-way fit need; the page's profiles are read afterwards.
const RANKING_FIELDS = `location lookingFor lastActiveAt settings.privacy.showDistance ${TASTE_FIELDS}`;

export type Candidate = Awaited<ReturnType<typeof readCandidates>>[number];

function readCandidates(filter: Record<string, unknown>, page: number) {
  return User.find(filter, RANKING_FIELDS)
    .sort({ lastActiveAt: -1, _id: -1 })
    .skip(page * CANDIDATES_PER_DRIVER)
    .limit(CANDIDATES_PER_DRIVER)
    .lean();
}

interface Driver {
  filter: Record<string, unknown>;
  page: number;
  kept: number;
  wanted: number;
  done: boolean;
}

/**
 * The people a deck is ranked from: from each driver (a cell or an interest), the most
 * recently active who are not known to be left out: a page of CANDIDATES_PER_DRIVER at first,
 * and at each later `deeper()` that many more. A driver is read a page further while the people
 * left out thin its pages, up to PAGES_PER_DRIVER pages.
 */
export class DeckPool {
  private readonly drivers: Driver[];
  private readonly seen = new Set<string>();

  constructor(
    filters: Record<string, unknown>[],
    private readonly knownOut: (id: string) => boolean,
  ) {
    this.drivers = filters.map((filter) => ({ filter, page: 0, kept: 0, wanted: CANDIDATES_PER_DRIVER, done: false }));
  }

  /** Whether some driver has people left to read. */
  get canGoDeeper(): boolean {
    return this.drivers.some((d) => !d.done);
  }

  /** The first candidates; each later call reads past them. New people only, each once. */
  async deeper(): Promise<Candidate[]> {
    if (this.drivers.some((d) => d.page > 0)) for (const d of this.drivers) d.wanted += CANDIDATES_PER_DRIVER;
    const added: Candidate[] = [];
    for (;;) {
      const open = this.drivers.filter((d) => !d.done && d.kept < d.wanted);
      if (!open.length) return added;
      const pages = await Promise.all(open.map((d) => readCandidates(d.filter, d.page)));
      open.forEach((driver, i) => {
        const page = pages[i]!;
        for (const user of page) {
          const id = String(user._id);
          if (this.knownOut(id)) continue;
          driver.kept++;
          if (this.seen.has(id)) continue;
          this.seen.add(id);
          added.push(user);
        }
        driver.page++;
        driver.done = page.length < CANDIDATES_PER_DRIVER || driver.page >= PAGES_PER_DRIVER;
      });
    }
  }
}
