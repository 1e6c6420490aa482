import { PLAN_FEATURES } from '../constants.js';
import { defineArea, int } from '../env-rules.js';

/** Daily connection requests per UTC day (null: unlimited) with what each plan grants. */
export const plans = defineArea({
  vars: {
    PLAN_FREE_DAILY_REQUESTS: int(10, 0, 100_000),
    PLAN_GOLD_DAILY_REQUESTS: int(200, 0, 100_000),
  },
  settings: (e) => ({
    plans: {
      free: { dailyRequests: e.PLAN_FREE_DAILY_REQUESTS as number | null, ...PLAN_FEATURES.free },
      gold: { dailyRequests: e.PLAN_GOLD_DAILY_REQUESTS as number | null, ...PLAN_FEATURES.gold },
      premium: { dailyRequests: null as number | null, ...PLAN_FEATURES.premium },
    },
  }),
});
