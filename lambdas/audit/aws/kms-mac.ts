/**
 * {@link ObjectMac} over a KMS HMAC key (`HMAC_256`, `GENERATE_VERIFY_MAC`): one
 * GenerateMac per object written, one VerifyMac per object read. Only KMS holds the key,
 * so someone who can write the bucket but cannot call the key cannot forge a MAC.
 */
import { GenerateMacCommand, VerifyMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { MacServiceError } from '../errors';
import { MAC_PATTERN, macMessage, type MacContext, type MacVerdict, type ObjectMac } from '../store/object-mac';

const MAC_ALGORITHM = 'HMAC_SHA_256';

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown error';
}

/** See the module comment. */
export class KmsObjectMac implements ObjectMac {
  constructor(
    private readonly client: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(context: MacContext, content: Buffer): Promise<string> {
    let mac: Uint8Array | undefined;
    try {
      const out = await this.client.send(
        new GenerateMacCommand({
          KeyId: this.keyId,
          MacAlgorithm: MAC_ALGORITHM,
          Message: macMessage(context, content),
        }),
      );
      mac = out.Mac;
    } catch (error) {
      throw new MacServiceError(`KMS GenerateMac failed for ${context.key}: ${describe(error)}`, { cause: error });
    }
    if (mac?.length !== 32) throw new MacServiceError(`KMS GenerateMac returned no 32-byte MAC`);
    return Buffer.from(mac).toString('base64');
  }

  async verify(context: MacContext, content: Buffer, mac: string | null): Promise<MacVerdict> {
    if (mac === null) return { valid: false, reason: `${context.key} carries no MAC` };
    if (!MAC_PATTERN.test(mac)) return { valid: false, reason: `${context.key} carries a MAC that is not one` };
    try {
      const out = await this.client.send(
        new VerifyMacCommand({
          KeyId: this.keyId,
          MacAlgorithm: MAC_ALGORITHM,
          Message: macMessage(context, content),
          Mac: Buffer.from(mac, 'base64'),
        }),
      );
      if (out.MacValid === true) return { valid: true };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'KMSInvalidMacException')) {
        throw new MacServiceError(`KMS VerifyMac failed for ${context.key}: ${describe(error)}`, { cause: error });
      }
    }
    return {
      valid: false,
      reason: `the MAC of ${context.key} does not verify as a ${context.kind} of run ${context.runId}`,
    };
  }
}
