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

export function validateConsume(request: WindowConsumeRequest): void {
  requireId(request.entryId, 'entryId');
  if (!Array.isArray(request.windows) || request.windows.length === 0) fail('windows must list at least one window');
  const seen = new Set<string>();
  request.windows.forEach((window, index) => {
    requireId(window.key, `windows[${index}].key`);
    if (seen.has(window.key)) fail(`windows[${index}].key "${window.key}" is listed twice`);
    seen.add(window.key);
    requireInteger(window.limit, `windows[${index}].limit`, 0);
    requireInteger(window.windowMs, `windows[${index}].windowMs`, 1);
    requireInteger(window.cost, `windows[${index}].cost`, 0);
  });
  requireOptionalNow(request.now);
}

export function validateAdjust(request: WindowAdjustRequest): void {
  requireId(request.entryId, 'entryId');
  if (!Array.isArray(request.keys) || request.keys.length === 0) fail('keys must list at least one window key');
  request.keys.forEach((key, index) => requireId(key, `keys[${index}]`));
  requireInteger(request.cost, 'cost', 0);
}

export function validateAcquire(request: SlotAcquireRequest): void {
  requireId(request.holderId, 'holderId');
  if (!Array.isArray(request.slots) || request.slots.length === 0) fail('slots must list at least one pool');
  const seen = new Set<string>();
  request.slots.forEach((slot, index) => {
    requireId(slot.key, `slots[${index}].key`);
    if (seen.has(slot.key)) fail(`slots[${index}].key "${slot.key}" is listed twice`);
    seen.add(slot.key);
    requireInteger(slot.limit, `slots[${index}].limit`, 0);
  });
  requireInteger(request.leaseMs, 'leaseMs', 1);
  requireOptionalNow(request.now);
}

export function validateHolder(request: SlotHolderRequest, needsLease: boolean): void {
  requireId(request.holderId, 'holderId');
  if (!Array.isArray(request.keys) || request.keys.length === 0) fail('keys must list at least one pool');
  request.keys.forEach((key, index) => requireId(key, `keys[${index}]`));
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
