import { lazyMethods } from '../lazy/lazy-methods';
import { resolveBudgetRules } from './budget-rules';
import type { BudgetGuard, BudgetGuardOptions } from './credit-accounting';

/**
 * The manager's budget and credit guard, loaded by a dynamic import started when the manager is created
 * with budgets or credits: hosts without them do not carry its code. The rules are checked now, so a bad
 * one still fails `createLLMManager()`; a call made before the import finished waits for it.
 */
export function createLazyBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  resolveBudgetRules(options.budgets);
  const loading = import('./credit-accounting').then((module) => module.createBudgetGuard(options));
  return lazyMethods<BudgetGuard, keyof BudgetGuard>(loading, ['reserve', 'status']);
}
