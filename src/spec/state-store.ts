/**
 * The state-store contract: the small set of atomic operations that limits, concurrency slots,
 * budgets, credits and the shared response cache need when several processes serve the same users.
 *
 * Implementations: `createMemoryState()` (one process), `createRedisState({ client })` (Lua scripts),
 * `createSqlState({ dialect, client })` (transactions with row locks). All pass one atomicity suite.
 *
 * Conventions:
 * - Money and other balances are integer micro-units (1 USD = 1,000,000) so sums stay exact.
 * - Times are epoch milliseconds. Every operation accepts an optional `now`; when it is omitted the
 *   store uses its authoritative clock (memory: its injected clock; Redis: the server's `TIME`; SQL:
 *   the database server's clock, SQLite: the host clock). Pass `now` only in tests, and never mix
 *   caller clocks and store clocks on the same keys in production.
 * - Every mutating operation that takes an id is idempotent for that id: repeating it returns the
 *   first outcome and changes nothing.
 */

/** One sliding window to count a cost against. */
export interface WindowSpec {
  /** Key of the window's log, unique per scope and window length, e.g. `user:u1:requests:3600000`. */
  key: string;
  /** Most cost the window admits over any `windowMs` span. */
  limit: number;
  /** Length of the sliding window in milliseconds. */
  windowMs: number;
  /** Cost of this entry in the window: 1 for a request, an estimate for tokens. A non-negative integer. */
  cost: number;
}

/**
 * Consume from several sliding windows at once, all or nothing. Windows are exact sliding logs: every
 * admitted entry is kept with its time and cost until it is older than `windowMs`, so the count over
 * any window-length span never exceeds the limit (no fixed-bucket edges, no weighted approximation).
 */
export interface WindowConsumeRequest {
  /** The windows to consume from; the entry is admitted only if every window has room for its cost. */
  windows: WindowSpec[];
  /** Id of the entry (a request id). Repeating a consume of an admitted id while it is still in its windows consumes nothing more (`duplicate: true`); a refused id may be retried. */
  entryId: string;
  /** Current time in epoch ms; omitted = the store's clock. */
  now?: number;
}

/** How one window stands after a consume attempt. */
export interface WindowState {
  /** The window's key, as requested. */
  key: string;
  /** The window's limit, as requested. */
  limit: number;
  /** Whether this window alone had room for the cost. */
  allowed: boolean;
  /** Cost used in the window after the attempt (including the new entry when admitted). */
  used: number;
  /** `max(0, limit - used)`. */
  remaining: number;
  /**
   * When admitted: when the oldest counted entry leaves the window (room starts coming back).
   * When refused: the earliest time at which enough old entries have left for this cost to fit;
   * `undefined` when the cost exceeds the limit and can never fit.
   */
  resetAt?: number;
  /** `resetAt - now` when refused, else 0; `undefined` when the cost can never fit. */
  retryAfterMs?: number;
}

/** Outcome of a multi-window consume. */
export interface WindowConsumeResult {
  /** True when every window admitted the entry and it was recorded in all of them. */
  allowed: boolean;
  /** True when the entry id had already been admitted before and this call changed nothing. */
  duplicate: boolean;
  /** One state per requested window, in request order. */
  windows: WindowState[];
}

/**
 * Settle an admitted entry to its actual cost (token limits: reserve an estimate, then settle to the
 * actual). The new cost is absolute, not a delta, so repeating the call is harmless.
 */
export interface WindowAdjustRequest {
  /** Keys of the windows the entry was consumed from (entries already out of their window are ignored). */
  keys: string[];
  /** Id the entry was consumed with. */
  entryId: string;
  /** The entry's actual cost; it may be above the estimate (the window may then exceed its limit until it slides). */
  cost: number;
}

/** One concurrency scope a slot is taken from. */
export interface SlotSpec {
  /** Key of the slot pool, e.g. `concurrency:user:u1` or `concurrency:global`. */
  key: string;
  /** Most leases the pool may hold at once. */
  limit: number;
}

/** Take one slot from every listed pool, all or nothing, as a lease. */
export interface SlotAcquireRequest {
  /** Pools to take a slot from (for example the user's pool and the global one). */
  slots: SlotSpec[];
  /** Unique id of the holder (one per waiting call). Acquiring again with the same id renews the lease. */
  holderId: string;
  /** Lease length in ms; a holder that neither renews nor releases loses its slot after this. */
  leaseMs: number;
  /** Current time in epoch ms; omitted = the store's clock. */
  now?: number;
}

/** Outcome of a slot acquisition. */
export interface SlotAcquireResult {
  /** True when the holder now holds a slot in every requested pool. */
  acquired: boolean;
  /** When acquired, when the lease expires unless renewed. */
  expiresAt?: number;
  /** When refused, the key of the first pool that was full. */
  blockedKey?: string;
  /** When refused, that pool's limit. */
  blockedLimit?: number;
  /** When refused, the earliest expiry among the full pool's leases (a hint, not a promise). */
  retryAt?: number;
}

/** Renew or release a lease. */
export interface SlotHolderRequest {
  /** Keys of the pools the holder acquired. */
  keys: string[];
  /** The holder's id. */
  holderId: string;
  /** New lease length in ms (renew only). */
  leaseMs?: number;
  /** Current time in epoch ms; omitted = the store's clock. */
  now?: number;
}

/** Put an amount of an account's balance on hold. */
export interface ReserveRequest {
  /** Account id, e.g. `credits:user:u1` or `budget:team:t1:2025-06`. */
  account: string;
  /** Amount to hold, integer micro-units, > 0. */
  amount: number;
  /** Unique id of the reservation. Reserving again with the same id returns the first outcome. */
  reservationId: string;
  /** After this many ms an unsettled reservation is released automatically (its holder is presumed dead). */
  ttlMs: number;
  /** Current time in epoch ms; omitted = the store's clock. */
  now?: number;
}

/** Outcome of a reservation. */
export interface ReserveResult {
  /** True when the amount is now held; false when `balance - reserved < amount` (nothing changed). */
  reserved: boolean;
  /** True when the reservation id existed already and this call changed nothing. */
  duplicate: boolean;
  /** The account after the call. */
  account: AccountBalance;
}

/** Debit the actual amount of a reservation and free the rest. */
export interface SettleRequest {
  /** Id the reservation was made with. */
  reservationId: string;
  /**
   * What the call actually cost, integer micro-units, >= 0. It is debited even when it exceeds the
   * reservation or the reservation already expired, because the cost was incurred; the balance may
   * then go below zero.
   */
  actualAmount: number;
  /** Current time in epoch ms; omitted = the store's clock. */
  now?: number;
}

/** Outcome of settling or releasing a reservation. */
export interface SettleResult {
  /** False when no reservation with that id is known (never made, or forgotten after retention). */
  found: boolean;
  /** True when the reservation had already been settled or released and this call changed nothing. */
  duplicate: boolean;
  /** The amount debited by the settlement (0 for a release). */
  debited: number;
  /** The reservation's final status. */
  status?: ReservationStatus;
  /** The account after the call, when found. */
  account?: AccountBalance;
}

/** Life cycle of a reservation. `expired` ones still accept a settlement (the call may have finished late). */
export type ReservationStatus = 'held' | 'settled' | 'released' | 'expired';

/** Add (or, with a negative amount, remove) balance: a grant, purchase, refund or correction. */
export interface CreditRequest {
  /** Account id. */
  account: string;
  /** Signed amount, integer micro-units, non-zero. */
  amount: number;
  /** Unique id of the ledger entry; repeating a credit with the same id changes nothing. */
  entryId: string;
  /** Free-form kind recorded in the ledger: `grant`, `purchase`, `refund`, `adjustment`. */
  kind?: string;
  /** Current time in epoch ms; omitted = the store's clock. */
  now?: number;
}

/** Outcome of a credit. */
export interface CreditResult {
  /** True when the entry id was already applied and this call changed nothing. */
  duplicate: boolean;
  /** The account after the call. */
  account: AccountBalance;
}

/** An account's money position, integer micro-units. */
export interface AccountBalance {
  /** Account id. */
  account: string;
  /** Credits minus settled debits. */
  balance: number;
  /** Sum of reservations currently held (expired ones are already subtracted). */
  reserved: number;
  /** `balance - reserved`: what a new reservation can take. */
  available: number;
}

/** One movement of an account's balance, in the store's own journal. */
export interface AccountEntry {
  /** The credit's entry id, or the reservation id for a settlement. */
  entryId: string;
  /** Account id. */
  account: string;
  /** `settle` for a settlement debit, else the credit's kind (`credit` by default). */
  kind: string;
  /** Signed change of the balance, integer micro-units (settlements are negative). */
  amount: number;
  /** When it was applied, epoch ms. */
  at: number;
}

/** A value kept in the shared cache. */
export type CacheValue = string | Uint8Array;

/** The state-store contract. */
export interface StateStore {
  /** Which implementation this is: `memory`, `redis`, `sql:postgres`, … */
  readonly kind: string;

  /** Atomically consume `cost` from every window, or from none (a refused entry consumes nothing). */
  consumeWindows(request: WindowConsumeRequest): Promise<WindowConsumeResult>;
  /** Set an admitted entry's cost to its actual value in each of its windows. */
  adjustWindows(request: WindowAdjustRequest): Promise<void>;

  /** Take one lease from each pool, all or nothing; expired leases are reclaimed first. */
  acquireSlots(request: SlotAcquireRequest): Promise<SlotAcquireResult>;
  /** Extend a held lease; false when the lease was lost (expired and reclaimed, or released). */
  renewSlots(request: SlotHolderRequest): Promise<boolean>;
  /** Give the slots back; false when the holder held none (already released or expired). Idempotent. */
  releaseSlots(request: SlotHolderRequest): Promise<boolean>;

  /** Hold `amount` of an account, failing atomically when `balance - reserved < amount`. */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** Debit the actual amount of a reservation and free the rest. Idempotent by reservation id. */
  settle(request: SettleRequest): Promise<SettleResult>;
  /** Free a reservation without debiting (the call failed before costing anything). Idempotent. */
  release(reservationId: string, now?: number): Promise<SettleResult>;
  /** Current position of an account (unknown accounts are all zero). */
  balance(account: string, now?: number): Promise<AccountBalance>;
  /** Apply a signed credit once per entry id. */
  credit(request: CreditRequest): Promise<CreditResult>;
  /** The account's journal of credits and settlements, oldest first. */
  entries(account: string): Promise<AccountEntry[]>;

  /** Read a cached value; `undefined` when absent or expired. */
  cacheGet(key: string, now?: number): Promise<CacheValue | undefined>;
  /** Store a value for `ttlMs` milliseconds, replacing any previous one. */
  cacheSet(key: string, value: CacheValue, ttlMs: number, now?: number): Promise<void>;
  /** Remove a cached value. */
  cacheDelete(key: string): Promise<void>;

  /** Release what the store itself holds (never the client that was passed in). */
  close(): Promise<void>;
}
