import { createAuditApp } from '../../../infra/app';
import { parseAuditStackConfig } from '../../../infra/config/audit-config';
import { AuditContextError } from '../../../infra/config/errors';
import { CDK_JSON_CONTEXT, createTestApp, RECHECK_MANAGEMENT_ACCOUNT } from '../test-app';

/** The issues synth reports for `context`, or [] when it accepts it. */
function issuesOf(context: Record<string, unknown>): readonly string[] {
  try {
    parseAuditStackConfig(context);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(AuditContextError);
    return (error as AuditContextError).issues;
  }
}

describe('re-check context', () => {
  it('is off by default, without a management account', () => {
    const config = parseAuditStackConfig({});
    expect(config.recheck).toBe(false);
    expect(config.managementAccountId).toBeUndefined();
    expect(createTestApp().forwarder).toBeUndefined();
    expect(createTestApp().stack.recheck).toBeUndefined();
  });

  it.each([
    '12345678901',
    '1234567890123',
    '12345678901*',
    '1234567890?1',
    '${aws:PrincipalAccount}',
    '{123456789012}',
    '$12345678901',
    '123456789012 ',
    'abcdefghijkl',
  ])('refuses managementAccountId %j', (value) => {
    expect(issuesOf({ managementAccountId: value })).toEqual([
      expect.stringMatching(/^managementAccountId: expected a 12-digit AWS account id/),
    ]);
  });

  it('accepts a 12-digit managementAccountId, from cdk.json or -c', () => {
    expect(parseAuditStackConfig({ managementAccountId: RECHECK_MANAGEMENT_ACCOUNT }).managementAccountId).toBe(
      RECHECK_MANAGEMENT_ACCOUNT,
    );
    expect(parseAuditStackConfig({ recheck: 'true', managementAccountId: RECHECK_MANAGEMENT_ACCOUNT }).recheck).toBe(
      true,
    );
  });

  it('refuses recheck without managementAccountId', () => {
    expect(issuesOf({ recheck: true })).toEqual([
      expect.stringMatching(/^managementAccountId: required when recheck is true/),
    ]);
  });

  it('refuses the re-check settings outside their registry ranges', () => {
    expect(issuesOf({ recheckMaxTargets: 0, recheckPendingWaitSeconds: 601 }).map((i) => i.split(':')[0])).toEqual([
      'recheckPendingWaitSeconds',
      'recheckMaxTargets',
    ]);
  });

  it('needs the audit account and home Region for the forwarder, and names the key when they are missing', () => {
    const context = {
      ...CDK_JSON_CONTEXT,
      'aws:cdk:bundling-stacks': [],
      recheck: true,
      managementAccountId: RECHECK_MANAGEMENT_ACCOUNT,
    };
    expect(() => createAuditApp({ context }, {})).toThrow(AuditContextError);
    expect(() => createAuditApp({ context }, {})).toThrow(/recheck: the management-account forwarder/);
  });
});
