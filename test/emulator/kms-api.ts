/**
 * KMS GenerateMac and VerifyMac over AWS JSON 1.1 (`X-Amz-Target: TrentService.*`), as
 * @aws-sdk/client-kms speaks them (shapes and errors from the botocore KMS model). The
 * emulator holds HMAC_256 keys, each a random secret made at start: a MAC made with one
 * key never verifies with another, and `KMSInvalidMacException` reports a MAC that does
 * not verify, as KMS does. `failure` makes every KMS call fail (a key-service outage).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EmulatedServiceError, serializationError } from './service-error';

/** Prefix of the X-Amz-Target header of KMS requests. */
export const KMS_TARGET_PREFIX = 'TrentService.';

/** The KMS operations the emulator serves. */
export const KMS_OPERATIONS = ['GenerateMac', 'VerifyMac'] as const;

/** One of {@link KMS_OPERATIONS}. */
export type KmsOperation = (typeof KMS_OPERATIONS)[number];

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

/** The emulator's HMAC keys and an optional outage. */
export class EmulatedKms {
  private readonly secrets = new Map<string, Buffer>();
  /** A KMS error code every call fails with while set, e.g. `KMSInternalException`. */
  failure: string | null = null;
  /** The key the audit is given. */
  readonly keyId: string;
  /** Another key of the same account: its MACs must not verify under {@link keyId}. */
  readonly otherKeyId: string;

  /**
   * @param seed makes the keys (ids and secrets) the same in every emulator started with it, so
   *   reports signed by one `npm start` verify in the next; default: random keys.
   */
  constructor(private readonly seed?: string) {
    this.keyId = this.createKey();
    this.otherKeyId = this.createKey();
  }

  /** ARN of a key id. */
  arnOf(keyId: string): string {
    return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
  }

  /** The MAC KMS would make (for tests that forge or check one). */
  macOf(keyId: string, message: Buffer): Buffer {
    const secret = this.secrets.get(keyId);
    if (secret === undefined) throw new Error(`no such key ${keyId}`);
    return createHmac('sha256', secret).update(message).digest();
  }

  private createKey(): string {
    if (this.seed === undefined) {
      const id = randomUUID();
      this.secrets.set(id, randomBytes(32));
      return id;
    }
    const digest = createHash('sha256').update(`${this.seed}/${this.secrets.size}`).digest();
    const hex = digest.subarray(0, 16).toString('hex');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    this.secrets.set(id, createHash('sha256').update(digest).update('secret').digest());
    return id;
  }

  /** Serves one request; throws {@link EmulatedServiceError} as KMS would answer. */
  handle(operation: KmsOperation, input: Record<string, unknown>): Record<string, unknown> {
    if (this.failure !== null) throw new EmulatedServiceError(this.failure, 500, 'The key service is unavailable.');
    const keyId = this.resolveKey(input.KeyId);
    if (input.MacAlgorithm !== 'HMAC_SHA_256') {
      throw new EmulatedServiceError('InvalidKeyUsageException', 400, 'The key does not support this MAC algorithm.');
    }
    const message = blob(input.Message, 'Message', 4096);
    const mac = this.macOf(keyId, message);
    const out = { KeyId: this.arnOf(keyId), MacAlgorithm: 'HMAC_SHA_256' };
    if (operation === 'GenerateMac') return { ...out, Mac: mac.toString('base64') };
    const given = blob(input.Mac, 'Mac', 6144);
    if (given.length !== mac.length || !timingSafeEqual(given, mac)) {
      throw new EmulatedServiceError('KMSInvalidMacException', 400, 'The MAC does not verify.');
    }
    return { ...out, MacValid: true };
  }

  /** A key id or key ARN of one of the keys; NotFoundException otherwise. */
  private resolveKey(raw: unknown): string {
    if (typeof raw !== 'string') throw serializationError('KeyId must be a string.');
    const id = raw.startsWith('arn:') ? raw.slice(raw.lastIndexOf('/') + 1) : raw;
    if (!this.secrets.has(id) || (raw.startsWith('arn:') && raw !== this.arnOf(id))) {
      throw new EmulatedServiceError('NotFoundException', 400, `Key '${raw}' does not exist`);
    }
    return id;
  }
}

/** A base64 blob member of 1..max bytes. */
function blob(raw: unknown, member: string, max: number): Buffer {
  if (typeof raw !== 'string') throw serializationError(`${member} must be a base64 blob.`);
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length < 1 || bytes.length > max) {
    throw new EmulatedServiceError('ValidationException', 400, `${member} must be 1 to ${max} bytes long.`);
  }
  return bytes;
}
