/**
 * An {@link ObjectMac} for unit tests: a local HMAC-SHA-256 over the same message as the
 * KMS one, so unit tests run signed without a key service. Integration tests use the
 * emulator's KMS through {@link KmsObjectMac}.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAC_PATTERN, macMessage, type MacContext, type ObjectMac } from '../../lambdas/audit/store/object-mac';

/** A local MAC key; each call makes a new random secret unless one is given. */
export function localMac(secret: Buffer = randomBytes(32)): ObjectMac & { readonly calls: string[] } {
  const calls: string[] = [];
  const of = (context: MacContext, content: Buffer) =>
    createHmac('sha256', secret).update(macMessage(context, content)).digest();
  return {
    keyId: 'local-test-key',
    calls,
    sign(context, content) {
      calls.push(`sign ${context.kind} ${context.key}`);
      return Promise.resolve(of(context, content).toString('base64'));
    },
    verify(context, content, mac) {
      calls.push(`verify ${context.kind} ${context.key}`);
      if (mac === null || !MAC_PATTERN.test(mac)) return Promise.resolve({ valid: false, reason: 'no MAC' });
      const ok = timingSafeEqual(Buffer.from(mac, 'base64'), of(context, content));
      return Promise.resolve(ok ? { valid: true } : { valid: false, reason: 'the MAC does not verify' });
    },
  };
}

/** The one key every unit test signs with unless it needs its own. */
export const TEST_MAC = localMac(Buffer.alloc(32, 7));
