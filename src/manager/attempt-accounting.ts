import { computeCost, maximumCost, type CostBreakdown } from '../governance/cost';
import type { BudgetGuard, CallReservation } from '../governance/credit-accounting';
import type { PriceMatch, PriceRow, PriceTable } from '../governance/price-table';
import { estimateTokensOfLength } from '../governance/token-estimate';
import { buildUsageRecord, type UsageWriter } from '../governance/usage-recorder';
import type { RoutingCandidate } from '../routing/candidate';
import type { AttemptContext } from '../routing/fallback-executor';
import type { UsageStatus } from '../spec/storage-records';
import { batched, batchesOf, type BatchedIterable } from '../http/part-batches';
import type { ProviderStreamPart } from '../spec/stream';
import type { Usage } from '../spec/usage';

/** Facts about the call that every attempt's accounting needs. */
export interface CallFacts {
  /** Id of the call; usage record ids are `<requestId>:<upstream request number>`. */
  requestId: string;
  /** The user. */
  userId?: string;
  /** The feature. */
  feature?: string;
  /** Estimated prompt tokens (for reservations and for usage a provider did not report). */
  estimatedInputTokens: number;
  /** Output tokens reserved for: the request's `maxTokens`, else a default. */
  maxOutputTokens: number;
}

/** Shared parts the accounting uses. */
export interface AttemptAccountingOptions {
  /** Prices. */
  priceTable: PriceTable;
  /** Markup on managed-key calls, percent. */
  managedMarkupPercent?: number;
  /** Budgets and credits; absent when none are configured. */
  budgetGuard?: BudgetGuard;
  /** The usage ledger writer. */
  usageWriter: UsageWriter;
  /** Providers' wire formats, for price lookup of instance ids (`my-openai` → `openai`). */
  wireFormatOf(provider: string): string;
}

/** Tokens, cost and status of one finished upstream request. */
export interface AttemptOutcome {
  /** Usage as reported (or estimated). */
  usage: Usage;
  /** What it cost. */
  cost: CostBreakdown;
}

const emptyReservation: CallReservation = { accounts: [], amountMicroUsd: 0, settle: async () => undefined, release: async () => undefined };

/**
 * Money and ledger bookkeeping around every upstream request: reserve the maximum cost before sending,
 * settle to the actual cost (or release) after, and queue exactly one usage record — success, error or
 * aborted, reported or estimated — whose id is stable so a retried write never counts twice.
 */
export function createAttemptAccounting(options: AttemptAccountingOptions) {
  const { priceTable, usageWriter, budgetGuard } = options;
  const markup = options.managedMarkupPercent;

  // The price table never changes and candidates are reused across calls: one lookup per candidate object.
  const priceByCandidate = new WeakMap<RoutingCandidate, PriceMatch | null>();
  function priceOf(candidate: RoutingCandidate): PriceMatch | undefined {
    const remembered = priceByCandidate.get(candidate);
    if (remembered !== undefined) return remembered ?? undefined;
    const match = findPrice(candidate);
    priceByCandidate.set(candidate, match ?? null);
    return match;
  }

  function findPrice(candidate: RoutingCandidate): PriceMatch | undefined {
    const match = priceTable.lookup(candidate.provider, candidate.model, { local: candidate.local, priceProvider: options.wireFormatOf(candidate.provider) });
    if (match || !candidate.pricing) return match;
    // No row in the table: the adapter's own catalogue price still beats pricing the call at zero.
    const pricing = candidate.pricing;
    const price: PriceRow = { input: pricing.inputPerMillion, output: pricing.outputPerMillion };
    if (pricing.cachedInputPerMillion !== undefined) price.cached = pricing.cachedInputPerMillion;
    return { price, version: priceTable.version, source: 'override', matched: `${candidate.provider}:${candidate.model}` };
  }

  function costOf(candidate: RoutingCandidate, usage: Usage): CostBreakdown {
    return computeCost({ usage, price: priceOf(candidate), keySource: candidate.keySource, managedMarkupPercent: markup });
  }

  async function reserve(candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext): Promise<CallReservation> {
    if (!budgetGuard || candidate.keySource === 'local') return emptyReservation;
    const maximum = maximumCost({
      inputTokens: facts.estimatedInputTokens, maxOutputTokens: facts.maxOutputTokens, price: priceOf(candidate),
      keySource: candidate.keySource, managedMarkupPercent: markup,
    });
    return budgetGuard.reserve({
      reservationId: `${facts.requestId}:${context.requestNumber}`, keySource: candidate.keySource, maxCostMicroUsd: maximum.microUsd,
      userId: facts.userId, keyId: candidate.keyId,
    });
  }

  function record(
    candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, startedAt: number, status: UsageStatus,
    usage: Usage | undefined, cost: CostBreakdown, error?: unknown, timeToFirstTokenMs?: number,
  ): void {
    usageWriter.enqueue(buildUsageRecord({
      requestId: facts.requestId, attemptNumber: context.requestNumber, time: startedAt, userId: facts.userId, feature: facts.feature,
      provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, usage,
      // An unpriced call is still recorded against the table that had no price for it.
      cost: cost.priceTableVersion ? cost : { ...cost, priceTableVersion: priceTable.version },
      latencyMs: Date.now() - startedAt, timeToFirstTokenMs, status, error,
    }));
  }

  const zeroUsage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: true };

  /**
   * One upstream stream with its bookkeeping: reserves before the request is sent, and when the stream ends
   * — finished, failed, or cancelled by the consumer — settles the cost (estimated from the output seen when
   * the provider reported none) and queues one usage record.
   */
  async function* streamBatches(
    candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, open: () => AsyncIterable<ProviderStreamPart>,
  ): AsyncGenerator<ProviderStreamPart[]> {
    const reservation = budgetGuard && candidate.keySource !== 'local' ? await reserve(candidate, facts, context) : emptyReservation;
    const startedAt = Date.now();
    let firstContentAt: number | undefined;
    // Only the length matters for an estimate: appending every delta would build a rope of the whole output.
    let outputLength = 0;
    let finalUsage: Usage | undefined;
    let failure: unknown;
    let booked = false;
    // Books the attempt once: at its finish part (a consumer may never pull past it, and then this
    // generator's finally never runs), else when the stream ends, fails or is cancelled.
    const book = async (): Promise<void> => {
      if (booked) return;
      booked = true;
      const finished = finalUsage !== undefined;
      // A cut or cancelled stream is still billed by the provider for what it generated: estimate it.
      const usage: Usage = finalUsage ?? {
        inputTokens: facts.estimatedInputTokens,
        outputTokens: estimateTokensOfLength(outputLength),
        totalTokens: facts.estimatedInputTokens + estimateTokensOfLength(outputLength),
        estimated: true,
      };
      const status: UsageStatus = finished ? 'success' : failure === undefined || context.signal.aborted ? 'aborted' : 'error';
      const produced = finished || firstContentAt !== undefined;
      const cost = produced ? costOf(candidate, usage) : costOf(candidate, zeroUsage);
      if (produced) await reservation.settle(cost.microUsd).catch(() => undefined);
      else await reservation.release().catch(() => undefined);
      record(candidate, facts, context, startedAt, status, produced ? usage : undefined, cost, failure,
        firstContentAt === undefined ? undefined : firstContentAt - startedAt);
    };
    try {
      for await (const parts of batchesOf(open())) {
        for (const part of parts) {
          switch (part.type) {
            case 'text-delta':
            case 'reasoning-delta':
              firstContentAt ??= Date.now();
              outputLength += part.text.length;
              break;
            case 'tool-call-delta':
              firstContentAt ??= Date.now();
              outputLength += part.argumentsDelta.length;
              break;
            case 'tool-call':
              firstContentAt ??= Date.now();
              break;
            case 'finish':
              finalUsage = part.usage;
              await book();
              break;
          }
        }
        yield parts;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await book();
    }
  }

  function recordFailure(candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, startedAt: number, error: unknown): void {
    const status: UsageStatus = context.signal.aborted ? 'aborted' : 'error';
    record(candidate, facts, context, startedAt, status, undefined, costOf(candidate, zeroUsage), error);
  }

  function booked<T extends { usage: Usage } | { usage: { inputTokens: number; estimated?: boolean } }>(
    candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, startedAt: number, value: T,
  ): T & { cost: CostBreakdown } {
    const reported = value.usage;
    const usage: Usage = 'outputTokens' in reported
      ? reported
      : { inputTokens: reported.inputTokens, outputTokens: 0, totalTokens: reported.inputTokens, estimated: reported.estimated };
    const cost = costOf(candidate, usage);
    record(candidate, facts, context, startedAt, 'success', usage, cost);
    return Object.assign(value, { cost });
  }

  async function runReserved<T extends { usage: Usage } | { usage: { inputTokens: number; estimated?: boolean } }>(
    candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, send: () => Promise<T>,
  ): Promise<T & { cost: CostBreakdown }> {
    const reservation = await reserve(candidate, facts, context);
    const startedAt = Date.now();
    let value: T;
    try {
      value = await send();
    } catch (error) {
      await reservation.release();
      recordFailure(candidate, facts, context, startedAt, error);
      throw error;
    }
    const result = booked(candidate, facts, context, startedAt, value);
    if (reservation !== emptyReservation) await reservation.settle(result.cost.microUsd);
    return result;
  }

  return {
    costOf,

    /** Runs one non-streaming upstream request with its reservation and usage record. */
    run<T extends { usage: Usage } | { usage: { inputTokens: number; estimated?: boolean } }>(
      candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, send: () => Promise<T>,
    ): Promise<T & { cost: CostBreakdown }> {
      if (budgetGuard && candidate.keySource !== 'local') return runReserved(candidate, facts, context, send);
      // Nothing to reserve: continuations instead of an async frame kept alive while the provider answers.
      const startedAt = Date.now();
      let sent: Promise<T>;
      try {
        sent = send();
      } catch (error) {
        sent = Promise.reject(error);
      }
      return sent.then(
        (value) => booked(candidate, facts, context, startedAt, value),
        (error: unknown) => {
          recordFailure(candidate, facts, context, startedAt, error);
          throw error;
        },
      );
    },

    /** Wraps one upstream stream with its reservation and usage record (see `streamBatches`). */
    stream(
      candidate: RoutingCandidate, facts: CallFacts, context: AttemptContext, open: () => AsyncIterable<ProviderStreamPart>,
    ): BatchedIterable<ProviderStreamPart> {
      return batched(() => streamBatches(candidate, facts, context, open));
    },
  };
}

export type AttemptAccounting = ReturnType<typeof createAttemptAccounting>;
