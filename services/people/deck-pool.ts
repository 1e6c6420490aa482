import { User } from '../../models/user.model.js';
import { TASTE_FIELDS } from '../match/taste/taste.service.js';

// Only what ranking and the two-way fit need; the page's profiles are read afterwards.
const RANKING_FIELDS = `location lookingFor lastActiveAt settings.privacy.showDistance ${TASTE_FIELDS}`;

export type Candidate = Awaited<ReturnType<typeof readPage>>[number];

function readPage(filter: Record<string, unknown>, page: number, size: number) {
  return User.find(filter, RANKING_FIELDS)
    .sort({ lastActiveAt: -1, _id: -1 })
    .skip(page * size)
    .limit(size)
    .lean();
}

export interface PoolShape {
  /** People kept per driver, most recently active first. */
  perDriver: number;
  /** Pages of that size read from one driver at most. */
  maxPages: number;
  /** People asked about (`leftOut`) in the whole read at most. */
  askBudget: number;
}

/**
 * The people a deck is ranked from: from each driver's query (a cell or an interest), the
 * most recently active `perDriver` who are not left out. A page thinned by people left out
 * is followed by the next, while pages, budget and people last: when the budget runs short,
 * the first drivers go on. Each person is asked about once.
 */
export async function deckPool(
  filters: Record<string, unknown>[],
  leftOut: (ids: string[]) => Promise<Set<string>>,
  shape: PoolShape,
): Promise<Candidate[]> {
  const judged = new Map<string, boolean>();
  const pool = new Map<string, Candidate>();
  let open = filters.map((filter) => ({ filter, page: 0, kept: 0 }));
  while (open.length) {
    // The first round reads every driver; a later one as many as the budget has room for.
    // Everyone asked about is in `judged`.
    if (judged.size > 0) open = open.slice(0, Math.floor((shape.askBudget - judged.size) / shape.perDriver));
    if (!open.length) break;
    const pages = await Promise.all(open.map((d) => readPage(d.filter, d.page, shape.perDriver)));
    const fresh = [...new Set(pages.flat().map((u) => String(u._id)))].filter((id) => !judged.has(id));
    const out = await leftOut(fresh);
    for (const id of fresh) judged.set(id, out.has(id));
    open = open.filter((driver, i) => {
      const page = pages[i]!;
      for (const user of page) {
        const id = String(user._id);
        if (judged.get(id) || driver.kept >= shape.perDriver) continue;
        driver.kept++;
        pool.set(id, user);
      }
      driver.page++;
      return page.length === shape.perDriver && driver.kept < shape.perDriver && driver.page < shape.maxPages;
    });
  }
  return [...pool.values()];
}
