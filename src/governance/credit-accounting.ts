import { ConfigurationError } from '../errors/configuration-error';
import { QuotaExceededError } from '../errors/quota-exceeded-error';
import type { KeySource } from '../spec/attempt';
import type { AccountBalance, AccountEntry, StateStore } from '../spec/state-store';
import type { BudgetScope, UsagePeriod } from '../spec/storage-records';
import { microUsdToUsd, usdToMicroUsd } from './cost';
import { budgetLevelOrder, resolveBudgetRules } from './budget-rules';
import { periodAdjective, periodEnd, periodKey } from './usage-period';

/** The state-store operations budgets and credits use (reserve / settle / release and the journal). */
export type AccountStore = Pick<StateStore, 'reserve' | 'settle' | 'release' | 'balance' | 'credit' | 'entries'>;

/** A spending cap at one level of the nesting app → team / project → user → key. */
export interface BudgetRule {
  /** Level. */
  scope: BudgetScope;
  /**
   * Which one: a team, project, user or key id, or `*` for each one of the level (`{ scope: 'user', scopeId: '*' }`
   * caps every user separately). The app level is always `*`.
   */
  scopeId: string;
  /** Cap per period in USD (or give `limitMicroUsd`). */
  limitUsd?: number;
  /** Cap per period in micro-dollars. */
  limitMicroUsd?: number;
  /** Period the cap resets on (UTC): `month` for monthly spending caps. */
  period: UsagePeriod;
  /** Which calls count: default paid ones, `['managed', 'byok']`. Local calls never count. */
  keySources?: readonly KeySource[];
}

/** Prepaid credit that managed-key calls spend. */
export interface CreditsOptions {
  /** Whose balance pays: the user's (default), or their team's / project's. */
  account?: 'user' | 'team' | 'project';
  /** Which calls spend credit: default `['managed']` (a BYOK call is paid by the user's own key). */
  keySources?: readonly KeySource[];
}

/** Who a call is for, at each level of the nesting. */
export interface BudgetContext {
  /** User id. */
  userId?: string;
  /** Team id. */
  teamId?: string;
  /** Project id. */
  projectId?: string;
  /** Id of the API key configuration used. */
  keyId?: string;
}

export interface ReserveCallInput extends BudgetContext {
  /** Id of the attempt (a request id plus attempt number): reservations are idempotent on it. */
  reservationId: string;
  /** Whose key pays. Local calls are never reserved nor blocked. */
  keySource: KeySource;
  /** The most the call can cost (`maximumCost(...).microUsd`). */
  maxCostMicroUsd: number;
  /** Current time, epoch ms (budgets' periods); default the guard's clock. */
  now?: number;
}

/** Money held for one call, to settle to the actual cost or release. */
export interface CallReservation {
  /** The accounts money is held on (empty for calls nothing applies to). */
  readonly accounts: readonly string[];
  /** Amount held on each account, micro-dollars. */
  readonly amountMicroUsd: number;
  /** Debits the actual cost from every account and frees the rest. Idempotent. */
  settle(actualMicroUsd: number): Promise<void>;
  /** Frees the hold without debiting (the call failed before it cost anything). Idempotent. */
  release(): Promise<void>;
}

/** How one budget or credit account stands. */
export interface BudgetStatus {
  /** The scope, as errors name it: `budget:user:u1:monthly`, `credits:user:u1`. */
  scope: string;
  /** State-store account id. */
  account: string;
  /** The cap (budgets) or the balance (credits), micro-dollars. */
  limitMicroUsd: number;
  /** Spent in the period (budgets) or debited so far (credits), micro-dollars. */
  spentMicroUsd: number;
  /** Held by calls in flight, micro-dollars. */
  reservedMicroUsd: number;
  /** What a new call can still reserve, micro-dollars. */
  availableMicroUsd: number;
  /** When the budget resets, epoch ms; absent for credits and `total` budgets. */
  resetAt?: number;
}

export interface BudgetGuardOptions {
  /** The shared state store (memory, Redis, SQL). */
  state: AccountStore;
  /** Spending caps. */
  budgets?: readonly BudgetRule[];
  /** Prepaid credits; absent = no credit check. */
  credits?: CreditsOptions;
  /** An unsettled reservation is released after this long (its process presumably died). Default 15 minutes. */
  reservationTtlMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface BudgetGuard {
  /**
   * Holds the call's maximum cost on every budget and credit account that applies, innermost first, all or
   * nothing. Throws `QuotaExceededError` naming the first scope that cannot cover it. Local calls (and calls
   * that nothing applies to) get an empty reservation and are never blocked.
   */
  reserve(input: ReserveCallInput): Promise<CallReservation>;
  /** Where each applicable budget and the credit account stand for this context. */
  status(context: BudgetContext & { keySource?: KeySource; now?: number }): Promise<BudgetStatus[]>;
}

interface ResolvedAccount {
  scope: string;
  account: string;
  kind: 'budget' | 'credits';
  limitMicroUsd: number;
  resetAt?: number;
}

function contextId(scope: BudgetScope, context: BudgetContext): string | undefined {
  switch (scope) {
    case 'app':
      return '*';
    case 'team':
      return context.teamId;
    case 'project':
      return context.projectId;
    case 'user':
      return context.userId;
    case 'key':
      return context.keyId;
  }
}

/** The state-store account of prepaid credit: `credits:user:u1`. */
export function creditAccount(level: 'user' | 'team' | 'project', id: string): string {
  return `credits:${level}:${id}`;
}

/**
 * Budgets and credits on the state store's reserve / settle / release. A budget is an account per scope and
 * period that is funded with its cap once (idempotently, also when the cap changes); each call reserves its
 * maximum cost there and settles to the actual cost, so spending across processes can never pass the cap by
 * more than what calls in flight actually exceeded their estimate by.
 */
export function createBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  const { state } = options;
  const clock = options.now ?? Date.now;
  const ttlMs = options.reservationTtlMs ?? 15 * 60_000;
  const rules = resolveBudgetRules(options.budgets);
  const creditKeySources = options.credits?.keySources ?? ['managed'];
  const fundedLimits = new Map<string, number>();

  function resolve(context: BudgetContext, keySource: KeySource | undefined, now: number): ResolvedAccount[] {
    const resolved: ResolvedAccount[] = [];
    const applicable = rules
      .filter((rule) => keySource === undefined || rule.keySources.includes(keySource))
      .sort((a, b) => budgetLevelOrder[a.scope] - budgetLevelOrder[b.scope]);
    const taken = new Set<string>();
    for (const rule of applicable) {
      const id = contextId(rule.scope, context);
      if (id === undefined) continue;
      // A rule for this very id wins over the level's `*` rule of the same period.
      if (rule.scopeId !== '*' && rule.scopeId !== id) continue;
      if (
        rule.scopeId === '*' &&
        applicable.some((other) => other !== rule && other.scope === rule.scope && other.period === rule.period && other.scopeId === id)
      ) {
        continue;
      }
      const scope = `budget:${rule.scope === 'app' ? 'app' : `${rule.scope}:${id}`}:${periodAdjective(rule.period)}`;
      if (taken.has(scope)) continue;
      taken.add(scope);
      const account = `budget:${rule.scope}:${id}:${rule.period}:${periodKey(rule.period, now)}`;
      const entry: ResolvedAccount = { scope, account, kind: 'budget', limitMicroUsd: rule.limit };
      const resetAt = periodEnd(rule.period, now);
      if (resetAt !== undefined) entry.resetAt = resetAt;
      resolved.push(entry);
    }
    if (options.credits !== undefined && (keySource === undefined || creditKeySources.includes(keySource))) {
      const level = options.credits.account ?? 'user';
      const id = level === 'user' ? context.userId : level === 'team' ? context.teamId : context.projectId;
      if (id !== undefined) {
        const account = creditAccount(level, id);
        resolved.push({ scope: account, account, kind: 'credits', limitMicroUsd: 0 });
      }
    }
    return resolved;
  }

  // Budget accounts hold their cap as balance. The funded total is mirrored on a companion account so a new
  // process learns it with one read; entry ids name the transition, so racing processes apply it once.
  async function fund(target: ResolvedAccount): Promise<void> {
    if (target.kind !== 'budget' || fundedLimits.get(target.account) === target.limitMicroUsd) return;
    const mirror = `${target.account}#funded`;
    const funded = (await state.balance(mirror)).balance;
    const delta = target.limitMicroUsd - funded;
    if (delta !== 0) {
      const entryId = `${target.account}:limit:${funded}->${target.limitMicroUsd}`;
      await state.credit({ account: target.account, amount: delta, entryId, kind: 'budget-limit' });
      await state.credit({ account: mirror, amount: delta, entryId, kind: 'budget-limit' });
    }
    fundedLimits.set(target.account, target.limitMicroUsd);
  }

  function exceeded(target: ResolvedAccount, account: AccountBalance, needed: number, now: number): QuotaExceededError {
    const limit = target.kind === 'budget' ? target.limitMicroUsd : Math.max(0, account.balance);
    const remaining = Math.max(0, account.available);
    const what = target.kind === 'budget' ? 'budget' : 'credit balance';
    const details: { scope: string; limit: number; remaining: number; resetAt?: number; retryAfterMs?: number } = {
      scope: target.scope,
      limit: microUsdToUsd(limit),
      remaining: microUsdToUsd(remaining),
    };
    if (target.resetAt !== undefined) {
      details.resetAt = target.resetAt;
      details.retryAfterMs = Math.max(0, target.resetAt - now);
    }
    return new QuotaExceededError(
      `The ${what} ${target.scope} cannot cover this call: it may cost up to $${microUsdToUsd(needed)}, ` +
        `$${microUsdToUsd(remaining)} of $${microUsdToUsd(limit)} is left` +
        (target.resetAt !== undefined ? `; it resets at ${new Date(target.resetAt).toISOString()}` : ''),
      details,
    );
  }

  const empty: CallReservation = {
    accounts: [],
    amountMicroUsd: 0,
    async settle() {},
    async release() {},
  };

  return {
    async reserve(input) {
      if (input.keySource === 'local') return empty;
      if (!Number.isInteger(input.maxCostMicroUsd) || input.maxCostMicroUsd < 0) {
        throw new ConfigurationError(`maxCostMicroUsd must be a non-negative integer, got ${String(input.maxCostMicroUsd)}`);
      }
      const now = input.now ?? clock();
      const targets = resolve(input, input.keySource, now);
      if (targets.length === 0) return empty;
      // An unpriced paid call still needs room: an exhausted budget blocks it even though its cost reads 0.
      const amount = Math.max(1, input.maxCostMicroUsd);
      const held: string[] = [];
      const reservationIdFor = (account: string) => `${input.reservationId}@${account}`;
      const releaseHeld = async () => {
        await Promise.allSettled(held.map((account) => state.release(reservationIdFor(account))));
      };
      try {
        for (const target of targets) {
          await fund(target);
          const outcome = await state.reserve({ account: target.account, amount, reservationId: reservationIdFor(target.account), ttlMs });
          if (!outcome.reserved) throw exceeded(target, outcome.account, amount, now);
          held.push(target.account);
        }
      } catch (error) {
        await releaseHeld();
        throw error;
      }
      const accounts = targets.map((target) => target.account);
      return {
        accounts,
        amountMicroUsd: amount,
        async settle(actualMicroUsd) {
          if (!Number.isInteger(actualMicroUsd) || actualMicroUsd < 0) {
            throw new ConfigurationError(`actual cost must be a non-negative integer of micro-dollars, got ${String(actualMicroUsd)}`);
          }
          await Promise.all(accounts.map((account) => state.settle({ reservationId: reservationIdFor(account), actualAmount: actualMicroUsd })));
        },
        async release() {
          await Promise.all(accounts.map((account) => state.release(reservationIdFor(account))));
        },
      };
    },

    async status(context) {
      const now = context.now ?? clock();
      const targets = resolve(context, context.keySource, now);
      const statuses: BudgetStatus[] = [];
      for (const target of targets) {
        await fund(target);
        const account = await state.balance(target.account);
        const limit = target.kind === 'budget' ? target.limitMicroUsd : Math.max(0, account.balance);
        const status: BudgetStatus = {
          scope: target.scope,
          account: target.account,
          limitMicroUsd: limit,
          spentMicroUsd: target.kind === 'budget' ? target.limitMicroUsd - account.balance : await debitedSoFar(target.account),
          reservedMicroUsd: account.reserved,
          availableMicroUsd: Math.max(0, account.available),
        };
        if (target.resetAt !== undefined) status.resetAt = target.resetAt;
        statuses.push(status);
      }
      return statuses;
    },
  };

  async function debitedSoFar(account: string): Promise<number> {
    let debited = 0;
    for (const entry of await state.entries(account)) if (entry.kind === 'settle') debited -= entry.amount;
    return debited;
  }
}

/** Kind of a credit ledger entry written by the credit ledger. */
export type CreditKind = 'grant' | 'purchase' | 'refund' | 'adjustment';

export interface CreditLedger {
  /** Adds credit once per `entryId` (a free grant, a purchase, a refund); a negative adjustment removes some. */
  add(input: { account: string; kind: CreditKind; amountUsd?: number; amountMicroUsd?: number; entryId: string }): Promise<AccountBalance>;
  /** The account's balance, held reservations and what is available, micro-dollars. */
  balance(account: string): Promise<AccountBalance>;
  /** Grants, purchases, refunds and settled debits, oldest first. */
  history(account: string): Promise<AccountEntry[]>;
}

/** The credit ledger: grants, purchases, refunds and history on the state store's idempotent journal. */
export function createCreditLedger(options: { state: AccountStore }): CreditLedger {
  const { state } = options;
  return {
    async add(input) {
      const hasUsd = input.amountUsd !== undefined;
      if (hasUsd === (input.amountMicroUsd !== undefined)) throw new ConfigurationError('give exactly one of amountUsd or amountMicroUsd');
      const amount = hasUsd ? usdToMicroUsd(input.amountUsd!) : input.amountMicroUsd!;
      if (!Number.isInteger(amount) || amount === 0) throw new ConfigurationError('a credit amount must be a non-zero whole number of micro-dollars');
      if (input.kind !== 'adjustment' && amount < 0) throw new ConfigurationError(`a ${input.kind} must be positive; use an adjustment to remove credit`);
      if (typeof input.entryId !== 'string' || input.entryId.length === 0) throw new ConfigurationError('entryId is required (it makes the credit idempotent)');
      const result = await state.credit({ account: input.account, amount, entryId: input.entryId, kind: input.kind });
      return result.account;
    },
    balance: (account) => state.balance(account),
    history: (account) => state.entries(account),
  };
}
