import { webcrypto } from 'node:crypto';

export const hexMasterKey = 'a3f1c9d27be04e5f8a6b1c2d3e4f50617283940a1b2c3d4e5f60718293a4b5c6';
export const otherHexMasterKey = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
/** base64 of 32 bytes, as `openssl rand -base64 32` prints. */
export const base64MasterKey = 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=';

export const openAiKey = 'sk-proj-Zq9XbT4mWv7Lk2Jh8Gf5Dd3Ss1Aa0PpOoIiUuYyTtRrEeWwQq';
export const binding = { ownerId: 'user-a', provider: 'openai', recordId: 'key-001' };

/** Flips one bit of the byte at `byteIndex` of a base64url field, keeping the encoding canonical. */
export function flipByteInField(ciphertext: string, fieldIndex: 2 | 3, byteIndex: number): string {
  const parts = ciphertext.split(':');
  const bytes = Buffer.from(parts[fieldIndex]!, 'base64url');
  bytes[byteIndex] = bytes[byteIndex]! ^ 0x01;
  parts[fieldIndex] = bytes.toString('base64url');
  return parts.join(':');
}

export function randomHexKey(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString('hex');
}

/** Every printed form of a value a careless host might log. */
export async function printedForms(value: unknown): Promise<string[]> {
  const { inspect } = await import('node:util');
  const forms = [inspect(value, { depth: 10, showHidden: false }), inspect(value, { depth: 10, showHidden: true, getters: true })];
  try {
    forms.push(JSON.stringify(value) ?? 'undefined');
  } catch (error) {
    forms.push(`JSON.stringify threw ${String(error)}`);
  }
  forms.push(String(value));
  if (value instanceof Error) forms.push(value.message, value.stack ?? '', JSON.stringify(value.cause ?? null));
  return forms;
}
