// Learning rate by iteration: step decay at milestones, and the optional
// warm-up He et al. use for ResNet-110 (0.01 until training error < 80%).
import type { ResolvedRecipe } from '../lib/experiment';

export interface ScheduleState {
  warmupDone: boolean;
}

export function milestones(recipe: ResolvedRecipe, totalIterations: number): number[] {
  return recipe.schedule.milestones ?? [Math.round(totalIterations * 0.5), Math.round(totalIterations * 0.75)];
}

export function learningRate(
  recipe: ResolvedRecipe,
  totalIterations: number,
  iteration: number,
  state: ScheduleState,
): number {
  const warmup = recipe.schedule.warmup;
  if (warmup && !state.warmupDone) return warmup.lr;
  const passed = milestones(recipe, totalIterations).filter((m) => iteration >= m).length;
  return recipe.optimizer.lr * recipe.schedule.gamma ** passed;
}

/** Ends the warm-up once the recent training error is low enough (or after maxIterations). */
export function updateWarmup(
  recipe: ResolvedRecipe,
  iteration: number,
  recentTrainError: number,
  state: ScheduleState,
): void {
  const warmup = recipe.schedule.warmup;
  if (!warmup || state.warmupDone) return;
  if (recentTrainError < (warmup.untilTrainError ?? 0.8) || iteration >= (warmup.maxIterations ?? 400))
    state.warmupDone = true;
}
