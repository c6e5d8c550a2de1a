import { ConfigurationError } from '../errors/configuration-error';
import type { KeySource } from '../spec/attempt';
import type { BudgetScope } from '../spec/storage-records';
import type { BudgetRule } from './credit-accounting';
import { usdToMicroUsd } from './cost';

/** Innermost first: a call reserves on its key's budget before its user's, team's and the app's. */
export const budgetLevelOrder: Record<BudgetScope, number> = { key: 0, user: 1, project: 2, team: 3, app: 4 };

/** A budget rule checked, with its cap in micro-dollars and the key sources it counts. */
export interface ResolvedBudgetRule extends BudgetRule {
  /** The cap per period, micro-dollars. */
  limit: number;
  /** Which calls count. */
  keySources: readonly KeySource[];
}

function ruleLimit(rule: BudgetRule, index: number): number {
  const hasUsd = rule.limitUsd !== undefined;
  const hasMicro = rule.limitMicroUsd !== undefined;
  if (hasUsd === hasMicro) throw new ConfigurationError(`budgets[${index}] needs exactly one of limitUsd or limitMicroUsd`);
  const micro = hasUsd ? usdToMicroUsd(rule.limitUsd!) : rule.limitMicroUsd!;
  if (!Number.isInteger(micro) || micro < 0) throw new ConfigurationError(`budgets[${index}] limit must be >= 0`);
  return micro;
}

/** Checks budget rules (a `ConfigurationError` naming the first bad one) and resolves their caps. */
export function resolveBudgetRules(budgets: readonly BudgetRule[] | undefined): ResolvedBudgetRule[] {
  return (budgets ?? []).map((rule, index) => {
    if (!(rule.scope in budgetLevelOrder)) throw new ConfigurationError(`budgets[${index}].scope must be app, team, project, user or key`);
    if (!['hour', 'day', 'month', 'total'].includes(rule.period)) {
      throw new ConfigurationError(`budgets[${index}].period must be hour, day, month or total`);
    }
    if (typeof rule.scopeId !== 'string' || rule.scopeId.length === 0) throw new ConfigurationError(`budgets[${index}].scopeId is required`);
    return { ...rule, limit: ruleLimit(rule, index), keySources: rule.keySources ?? (['managed', 'byok'] as const) };
  });
}
