import type { EnvironmentConfig } from '../config.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import type { Plan } from '../history/plan.ts';
import { judgePromotion, type Promotion } from '../requests/promotion.ts';
import type { BotContext } from './bot-context.ts';

/**
 * How many of the required environment's newest requests are searched for the same change.
 * One Query of the environment's index (src/aws/request-store.ts `recent`); a change retried
 * more often than this in staging since it succeeded is asked to succeed there once more.
 */
export const PROMOTION_LOOKBACK = 50;

/** Asks the request store, never a form's metadata: the store is what a person cannot edit. */
export async function checkPromotion(ctx: BotContext, env: EnvironmentConfig, plan: Plan): Promise<Promotion> {
  const required = env.requires?.succeededIn;
  if (!required) return { ok: true };
  try {
    const earlier = await withDeadline(ctx.store.recent(required, PROMOTION_LOOKBACK), BUDGET.dynamo, 'The request store');
    return judgePromotion(plan, required, earlier);
  } catch (error) {
    return { ok: false, reason: `the ${required} requests could not be read to check it ran there first (${(error as Error).message})` };
  }
}
