import {
  consoleContextOf,
  policyConsoleUrl,
  s3ObjectConsoleUrl,
  targetConsoleUrl,
  type ConsoleContext,
} from '../../../../lambdas/audit/report/console-links';

const AWS: ConsoleContext = { partition: 'aws', region: 'eu-west-1', bucket: 'audit-reports' };
const CN: ConsoleContext = { partition: 'aws-cn', region: 'cn-north-1', bucket: 'audit-reports' };
const GOV: ConsoleContext = { partition: 'aws-us-gov', region: 'us-gov-west-1', bucket: 'audit-reports' };
const POLICY = '11111111-1111-4111-8111-111111111111';

describe('consoleContextOf', () => {
  it('takes the partition from the Region name', () => {
    expect(consoleContextOf('eu-west-1', 'b')).toEqual({ partition: 'aws', region: 'eu-west-1', bucket: 'b' });
    expect(consoleContextOf('cn-northwest-1')).toEqual({ partition: 'aws-cn', region: 'cn-northwest-1' });
    expect(consoleContextOf('us-gov-east-1')).toEqual({ partition: 'aws-us-gov', region: 'us-gov-east-1' });
  });

  it('gives no context (so no links) for a missing, malformed or isolated Region', () => {
    for (const region of [
      undefined,
      '',
      'eu-west-1/../x',
      'EU-WEST-1',
      'us-east-1"><a',
      'us-iso-east-1',
      'eu-isoe-west-1',
    ]) {
      expect(consoleContextOf(region, 'b')).toBeUndefined();
    }
  });
});

describe('console URLs', () => {
  it('points at the Security Hub configuration policies page of the run Region, per partition', () => {
    expect(policyConsoleUrl(AWS, POLICY)).toBe(
      'https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/configuration-policies',
    );
    expect(policyConsoleUrl(CN, POLICY)).toBe(
      'https://console.amazonaws.cn/securityhub/home?region=cn-north-1#/configuration-policies',
    );
    expect(policyConsoleUrl(GOV, POLICY)).toBe(
      'https://console.amazonaws-us-gov.com/securityhub/home?region=us-gov-west-1#/configuration-policies',
    );
  });

  it('points accounts, OUs and roots at the Organizations console', () => {
    const base = 'https://us-east-1.console.aws.amazon.com/organizations/v2/home';
    expect(targetConsoleUrl(AWS, '123456789012')).toBe(`${base}/accounts/123456789012`);
    expect(targetConsoleUrl(AWS, 'ou-ab12-11111111')).toBe(`${base}/organizational-units/ou-ab12-11111111`);
    expect(targetConsoleUrl(AWS, 'r-ab12')).toBe(`${base}/root`);
    expect(targetConsoleUrl(CN, '123456789012')).toBe(
      'https://console.amazonaws.cn/organizations/v2/home/accounts/123456789012',
    );
    expect(targetConsoleUrl(GOV, 'ou-ab12-11111111')).toBe(
      'https://console.amazonaws-us-gov.com/organizations/v2/home/organizational-units/ou-ab12-11111111',
    );
  });

  it('points at the S3 object with bucket, Region and key URL-encoded', () => {
    expect(s3ObjectConsoleUrl(AWS, 'audit/associations/dt=2026-11-26/x y&z#?.jsonl.gz')).toBe(
      'https://s3.console.aws.amazon.com/s3/object/audit-reports?region=eu-west-1&prefix=audit%2Fassociations%2Fdt%3D2026-11-26%2Fx%20y%26z%23%3F.jsonl.gz',
    );
    expect(s3ObjectConsoleUrl(GOV, 'k')).toBe(
      'https://console.amazonaws-us-gov.com/s3/object/audit-reports?region=us-gov-west-1&prefix=k',
    );
    expect(s3ObjectConsoleUrl({ partition: 'aws', region: 'eu-west-1' }, 'k')).toBeUndefined();
  });

  it('URL-encodes ids, so no value can leave its path segment', () => {
    expect(targetConsoleUrl(AWS, '12/../"<x>?#')).toBe(
      'https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts/12%2F..%2F%22%3Cx%3E%3F%23',
    );
  });
});
