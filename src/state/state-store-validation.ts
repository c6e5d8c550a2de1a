import { InvalidRequestError } from '../errors/invalid-request-error';
import type {
  CreditRequest,
  ReserveRequest,
  SettleRequest,
  SlotAcquireRequest,
  SlotHolderRequest,
  WindowAdjustRequest,
  WindowConsumeRequest,
} from '../spec/state-store';

// Every implementation validates the same way so the conformance suite sees the same errors.

function fail(message: string): never {
  throw new InvalidRequestError(`State store: ${message}`);
}

function requireId(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) fail(`${field} must be a non-empty string`);
}

function requireInteger(value: unknown, field: string, minimum: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    fail(`${field} must be a safe integer >= ${minimum} (got ${String(value)})`);
  }
}

function requireOptionalNow(now: unknown): void {
  if (now !== undefined) requireInteger(now, 'now', 0);
}

const isId = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
const isIntegerFrom = (value: unknown, minimum: number): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum;

// These run on every admitted call: field labels are built only for an error, and the short lists (a
// user's pool and the global one, a tier's windows) are checked for repeats without a Set.
function requireListedId(value: unknown, list: string, index: number, field: string): void {
  if (!isId(value)) requireId(value, `${list}[${index}]${field}`);
}

/** The `key` of item `index` of a list: present, and not the key of an item before it. */
function requireListedKey(items: readonly { key: string }[], list: string, index: number): void {
  const key = items[index]!.key;
  requireListedId(key, list, index, '.key');
  for (let earlier = 0; earlier < index; earlier++) {
    if (items[earlier]!.key === key) fail(`${list}[${index}].key "${key}" is listed twice`);
  }
}

function requireListedInteger(value: unknown, list: string, index: number, field: string, minimum: number): void {
  if (!isIntegerFrom(value, minimum)) requireInteger(value, `${list}[${index}]${field}`, minimum);
}

export function validateConsume(request: WindowConsumeRequest): void {
  requireId(request.entryId, 'entryId');
  if (!Array.isArray(request.windows) || request.windows.length === 0) fail('windows must list at least one window');
  const windows = request.windows;
  for (let index = 0; index < windows.length; index++) {
    const window = windows[index]!;
    requireListedKey(windows, 'windows', index);
    requireListedInteger(window.limit, 'windows', index, '.limit', 0);
    requireListedInteger(window.windowMs, 'windows', index, '.windowMs', 1);
    requireListedInteger(window.cost, 'windows', index, '.cost', 0);
  }
  requireOptionalNow(request.now);
}

export function validateAdjust(request: WindowAdjustRequest): void {
  requireId(request.entryId, 'entryId');
  if (!Array.isArray(request.keys) || request.keys.length === 0) fail('keys must list at least one window key');
  for (let index = 0; index < request.keys.length; index++) requireListedId(request.keys[index], 'keys', index, '');
  requireInteger(request.cost, 'cost', 0);
}

export function validateAcquire(request: SlotAcquireRequest): void {
  requireId(request.holderId, 'holderId');
  if (!Array.isArray(request.slots) || request.slots.length === 0) fail('slots must list at least one pool');
  const slots = request.slots;
  for (let index = 0; index < slots.length; index++) {
    requireListedKey(slots, 'slots', index);
    requireListedInteger(slots[index]!.limit, 'slots', index, '.limit', 0);
  }
  requireInteger(request.leaseMs, 'leaseMs', 1);
  requireOptionalNow(request.now);
}

export function validateHolder(request: SlotHolderRequest, needsLease: boolean): void {
  requireId(request.holderId, 'holderId');
  if (!Array.isArray(request.keys) || request.keys.length === 0) fail('keys must list at least one pool');
  for (let index = 0; index < request.keys.length; index++) requireListedId(request.keys[index], 'keys', index, '');
  if (needsLease) requireInteger(request.leaseMs, 'leaseMs', 1);
  requireOptionalNow(request.now);
}

export function validateReserve(request: ReserveRequest): void {
  requireId(request.account, 'account');
  requireId(request.reservationId, 'reservationId');
  requireInteger(request.amount, 'amount', 1);
  requireInteger(request.ttlMs, 'ttlMs', 1);
  requireOptionalNow(request.now);
}

export function validateSettle(request: SettleRequest): void {
  requireId(request.reservationId, 'reservationId');
  requireInteger(request.actualAmount, 'actualAmount', 0);
  requireOptionalNow(request.now);
}

export function validateRelease(reservationId: string, now: number | undefined): void {
  requireId(reservationId, 'reservationId');
  requireOptionalNow(now);
}

export function validateAccount(account: string, now?: number): void {
  requireId(account, 'account');
  requireOptionalNow(now);
}

export function validateCredit(request: CreditRequest): void {
  requireId(request.account, 'account');
  requireId(request.entryId, 'entryId');
  if (typeof request.amount !== 'number' || !Number.isSafeInteger(request.amount) || request.amount === 0) {
    fail(`amount must be a non-zero safe integer of micro-units (got ${String(request.amount)})`);
  }
  if (request.kind !== undefined && (typeof request.kind !== 'string' || !/^[A-Za-z0-9_.-]{1,32}$/.test(request.kind))) {
    fail(`kind must be 1-32 letters, digits, '_', '.' or '-' (got ${String(request.kind)})`);
  }
  requireOptionalNow(request.now);
}

export function validateCacheKey(key: string, now?: number): void {
  requireId(key, 'cache key');
  requireOptionalNow(now);
}

export function validateCacheSet(key: string, value: unknown, ttlMs: number, now?: number): void {
  validateCacheKey(key, now);
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) fail('cache value must be a string or a Uint8Array');
  requireInteger(ttlMs, 'ttlMs', 1);
}
