import type { RotatableKeyRecord, KeyRotationAuditRow, KeyRotationReason } from './rotatable-key-store';

async function shortDigest(text: string): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (let index = 0; index < 8; index += 1) hex += digest[index]!.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Builds the audit row for moving `record` from its current value to `toKeyId`. The id is deterministic:
 * rotation and a racing lazy read that perform the same transition produce the same row id. For a
 * ciphertext the digest is of the old ciphertext (not secret); for plaintext no digest of the key is
 * ever taken, the id is just record + target key.
 */
export async function buildRotationAuditRow(input: {
  record: RotatableKeyRecord;
  fromKeyId: string | null;
  toKeyId: string;
  actor: string;
  reason: KeyRotationReason;
  at: Date;
}): Promise<KeyRotationAuditRow> {
  const { record, fromKeyId, toKeyId } = input;
  const suffix = fromKeyId === null ? 'plaintext' : `${fromKeyId}:${await shortDigest(record.ciphertext)}`;
  return {
    id: `${record.id}>${toKeyId}:${suffix}`,
    at: input.at.toISOString(),
    recordId: record.id,
    ownerId: record.ownerId,
    provider: record.provider,
    fromKeyId,
    toKeyId,
    actor: input.actor,
    reason: input.reason,
  };
}
