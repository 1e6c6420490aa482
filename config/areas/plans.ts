import { PLAN_FEATURES } from '../constants.js';
import { defineArea, int } from '../env-rules.js';

/** Daily connection requests per UTC day (null: unlimited) of the plans that have a limit, with what each plan grants. */
export const plans = defineArea({
  vars: {
    PLAN_FREE_DAILY_REQUESTS: int(10, 0, 100_000),
    PLAN_GOLD_DAILY_REQUESTS: int(200, 0, 100_000),
  },
  settings: (e) => ({
    plans: {
      free: { ...PLAN_FEATURES.free, dailyRequests: e.PLAN_FREE_DAILY_REQUESTS as number | null },
      gold: { ...PLAN_FEATURES.gold, dailyRequests: e.PLAN_GOLD_DAILY_REQUESTS as number | null },
      premium: PLAN_FEATURES.premium,
    },
  }),
});
