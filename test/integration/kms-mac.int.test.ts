/**
 * The emulator's KMS against the real @aws-sdk/client-kms, through KmsObjectMac: a MAC
 * verifies only for the same content, context and key; another key's MAC is refused with
 * KMSInvalidMacException (a verdict), and an outage is a TRANSIENT MacServiceError.
 */
import { KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { KmsObjectMac } from '../../lambdas/audit/aws/kms-mac';
import { errorKindOf, MacServiceError } from '../../lambdas/audit/errors';
import { macMessage, type MacContext } from '../../lambdas/audit/store/object-mac';
import { emulatorClientConfig, startEmulator, type RunningEmulator } from '../emulator';

let emulator: RunningEmulator;
let kms: KMSClient;

beforeAll(async () => {
  emulator = await startEmulator({ org: { accounts: 3, seed: 1 } });
  kms = new KMSClient({ ...emulatorClientConfig(emulator), maxAttempts: 1 });
});

afterAll(async () => {
  kms.destroy();
  await emulator.close();
});

const CONTEXT: MacContext = {
  kind: 'checkpoint-manifest',
  key: 'audit/checkpoints/20261126T020000Z/manifest.json',
  runId: '20261126T020000Z',
  execution: 'arn:aws:states:us-east-1:111111111111:execution:audit:one',
};
const CONTENT = Buffer.from('{"slot":0}');

describe('KMS GenerateMac/VerifyMac in the emulator', () => {
  it('signs with the key (by id or ARN) and verifies only the same content, context and key', async () => {
    const byId = new KmsObjectMac(kms, emulator.kms.keyId);
    const byArn = new KmsObjectMac(kms, emulator.kms.arnOf(emulator.kms.keyId));
    const mac = await byId.sign(CONTEXT, CONTENT);
    expect(Buffer.from(mac, 'base64')).toEqual(emulator.kms.macOf(emulator.kms.keyId, macMessage(CONTEXT, CONTENT)));
    await expect(byArn.verify(CONTEXT, CONTENT, mac)).resolves.toEqual({ valid: true });
    for (const [context, content] of [
      [{ ...CONTEXT, kind: 'run-summary' }, CONTENT],
      [{ ...CONTEXT, runId: '20261127T020000Z' }, CONTENT],
      [{ ...CONTEXT, execution: 'arn:aws:states:us-east-1:111111111111:execution:audit:two' }, CONTENT],
      [{ ...CONTEXT, key: 'audit/checkpoints/x/manifest.json' }, CONTENT],
      [CONTEXT, Buffer.from('{"slot":1}')],
    ] as const) {
      await expect(byId.verify(context, content, mac)).resolves.toMatchObject({ valid: false });
    }
  });

  it('refuses a MAC made with another key: KMSInvalidMacException on the wire, a verdict for the audit', async () => {
    const other = await new KmsObjectMac(kms, emulator.kms.otherKeyId).sign(CONTEXT, CONTENT);
    const raw = kms.send(
      new VerifyMacCommand({
        KeyId: emulator.kms.keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: macMessage(CONTEXT, CONTENT),
        Mac: Buffer.from(other, 'base64'),
      }),
    );
    await expect(raw).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
    await expect(new KmsObjectMac(kms, emulator.kms.keyId).verify(CONTEXT, CONTENT, other)).resolves.toMatchObject({
      valid: false,
    });
  });

  it('a missing key or an outage is a TRANSIENT MacServiceError, never "unsigned"', async () => {
    const missing = new KmsObjectMac(kms, '00000000-0000-0000-0000-000000000000');
    await expect(missing.sign(CONTEXT, CONTENT)).rejects.toBeInstanceOf(MacServiceError);
    emulator.kms.failure = 'KMSInternalException';
    try {
      const mac = new KmsObjectMac(kms, emulator.kms.keyId);
      const error = await mac.verify(CONTEXT, CONTENT, 'A'.repeat(43) + '=').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MacServiceError);
      expect(errorKindOf(error)).toBe('TRANSIENT');
    } finally {
      emulator.kms.failure = null;
    }
  });
});
