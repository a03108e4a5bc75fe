import {
  bucketNameProblem,
  MAX_REPORT_PREFIX_LENGTH,
  reportPrefixProblem,
  roleArnProblem,
  topicArnProblem,
} from '../../../lambdas/audit/input-validators';

describe('input validators', () => {
  it.each(['abc', 'my-audit.reports-1', 'a'.repeat(63)])('accepts the bucket %s', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each(['ab', 'a'.repeat(64), 'My-Bucket', 'a..b', '-ab', 'ab-', '10.0.0.1', 'a b', 'a\u001bb'])(
    'rejects the bucket %j',
    (name) => {
      expect(bucketNameProblem(name)).toMatch(/expected an S3 bucket name/);
    },
  );

  it.each(['', 'audit', 'audit/', 'a/b/c', "x!_.'()-"])('accepts the prefix %j', (prefix) => {
    expect(reportPrefixProblem(prefix)).toBeUndefined();
  });

  it.each([
    ['/audit/', /must not start with/],
    ['a*b', /IAM resource ARN/],
    ['a${aws:username}', /IAM resource ARN/],
    ['a//b', /segment/],
    ['..', /segment/],
    ['a/./b', /segment/],
    ['a/../../b', /segment/],
    ['a b', /safe characters/],
    ['a\r\nb', /safe characters/],
    ['é', /safe characters/],
    ['a'.repeat(MAX_REPORT_PREFIX_LENGTH + 1), /at most/],
  ])('rejects the prefix %j', (prefix, problem) => {
    expect(reportPrefixProblem(prefix)).toMatch(problem);
  });

  it('checks role and topic ARNs in any partition', () => {
    expect(roleArnProblem('arn:aws:iam::123456789012:role/OrgRead')).toBeUndefined();
    expect(roleArnProblem('arn:aws-cn:iam::123456789012:role/path/OrgRead')).toBeUndefined();
    expect(roleArnProblem('arn:aws:iam::123456789012:user/bob')).toMatch(/IAM role ARN/);
    expect(roleArnProblem('arn:aws:iam::123456789012:role/x\ny')).toMatch(/IAM role ARN/);
    expect(topicArnProblem('arn:aws:sns:us-east-1:123456789012:audit-alerts')).toBeUndefined();
    expect(topicArnProblem('not-an-arn')).toMatch(/SNS topic ARN/);
  });
});
