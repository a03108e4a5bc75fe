/**
 * The test matcher against the examples of the EventBridge user guide
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
 * eb-create-pattern-operators.html): the documented EC2 event and the patterns shown for it.
 */
import { matchesEventPattern } from '../../../support/event-pattern-matcher';

const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3.0e1,
    'x-limit': null,
  },
};

describe('matchesEventPattern (documented rules)', () => {
  it('matches exact values, case-sensitively, and every field of the pattern', () => {
    expect(matchesEventPattern({ source: ['aws.ec2'] }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ source: ['AWS.EC2'] }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ source: ['aws.ec2'], 'detail-type': ['other'] }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ source: ['aws.s3', 'aws.ec2'] }, EC2_EVENT)).toBe(true);
  });

  it('matches nested fields, numbers as numbers, and null', () => {
    expect(matchesEventPattern({ detail: { state: ['terminated'] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: ['running'] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { 'd-count': [30] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { 'x-limit': [null] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { 'y-limit': [null] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: ['terminated'] }, EC2_EVENT)).toBe(false);
  });

  it('matches an array-valued event field when any element matches', () => {
    const resource = EC2_EVENT.resources[0];
    expect(matchesEventPattern({ resources: [resource, 'arn:other'] }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:other'] }, EC2_EVENT)).toBe(false);
  });

  it('implements prefix, suffix, equals-ignore-case', () => {
    expect(matchesEventPattern({ time: [{ prefix: '2017-12-22' }] }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ time: [{ prefix: '2018' }] }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { 'instance-id': [{ suffix: 'def0' }] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, EC2_EVENT)).toBe(true);
  });

  it('implements anything-but with a value, a list and a prefix; a missing field never matches it', () => {
    const state = (spec: unknown) => ({ detail: { state: [{ 'anything-but': spec }] } });
    expect(matchesEventPattern(state('initializing'), EC2_EVENT)).toBe(true);
    expect(matchesEventPattern(state(['stopped', 'terminated']), EC2_EVENT)).toBe(false);
    expect(matchesEventPattern(state({ prefix: 'term' }), EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { nothing: [{ 'anything-but': 'x' }] } }, EC2_EVENT)).toBe(false);
  });

  it('implements exists on leaf fields', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { 'e-count': [{ exists: false }] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: [{ exists: true }] }, EC2_EVENT)).toBe(false);
  });

  it('implements numeric ranges', () => {
    const count = (spec: unknown[]) => ({ detail: { 'c-count': [{ numeric: spec }] } });
    expect(matchesEventPattern(count(['>', 0, '<=', 5]), EC2_EVENT)).toBe(true);
    expect(matchesEventPattern(count(['<', 5]), EC2_EVENT)).toBe(false);
    expect(matchesEventPattern(count(['=', 5]), EC2_EVENT)).toBe(true);
  });

  it('refuses an operator it does not implement instead of guessing', () => {
    expect(() => matchesEventPattern({ source: [{ wildcard: 'aws.*' }] }, EC2_EVENT)).toThrow(/not implemented/);
  });
});
