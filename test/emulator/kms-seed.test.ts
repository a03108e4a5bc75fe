import { EmulatedKms } from './kms-api';

describe('EmulatedKms keys', () => {
  it('are the same for the same seed (the demo verifies its earlier runs) and differ otherwise', () => {
    const message = Buffer.from('run summary');
    const a = new EmulatedKms('demo');
    const b = new EmulatedKms('demo');
    expect(b.keyId).toBe(a.keyId);
    expect(b.macOf(b.keyId, message).equals(a.macOf(a.keyId, message))).toBe(true);
    expect(a.otherKeyId).not.toBe(a.keyId);
    expect(a.macOf(a.otherKeyId, message).equals(a.macOf(a.keyId, message))).toBe(false);
    expect(new EmulatedKms('other').keyId).not.toBe(a.keyId);
    expect(new EmulatedKms().keyId).not.toBe(new EmulatedKms().keyId);
  });
});
