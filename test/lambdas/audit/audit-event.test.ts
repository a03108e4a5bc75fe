import { parseAuditEvent } from '../../../lambdas/audit/audit-event';
import { AuditEventError } from '../../../lambdas/audit/errors';

describe('parseAuditEvent', () => {
  it('accepts an EventBridge scheduled event, an empty event and a state machine round', () => {
    expect(parseAuditEvent({ time: '2026-11-26T02:00:00Z', source: 'aws.events', detail: {} })).toEqual({
      time: '2026-11-26T02:00:00Z',
    });
    expect(parseAuditEvent(undefined)).toEqual({});
    const execution = 'arn:aws:states:us-east-1:111122223333:execution:audit:e1';
    expect(parseAuditEvent({ time: '2026-11-26T02:00:00Z', round: 1, maxRounds: 8, execution })).toEqual({
      time: '2026-11-26T02:00:00Z',
      execution,
      round: 1,
      maxRounds: 8,
    });
    expect(parseAuditEvent({ time: '2026-11-26T02:00:00Z', round: 2, maxRounds: 8 })).toEqual({
      time: '2026-11-26T02:00:00Z',
      round: 2,
      maxRounds: 8,
    });
  });

  it('reads an explicit re-run flag, and only a boolean', () => {
    expect(parseAuditEvent({ time: '2024-11-26T02:00:00Z', rerun: true })).toEqual({
      time: '2024-11-26T02:00:00Z',
      rerun: true,
    });
    expect(parseAuditEvent({ time: '2026-11-26T02:00:00Z', rerun: false, round: 1, maxRounds: 8 })).toEqual({
      time: '2026-11-26T02:00:00Z',
      rerun: false,
      round: 1,
      maxRounds: 8,
    });
    expect(() => parseAuditEvent({ rerun: 'yes' })).toThrow(AuditEventError);
  });

  it.each([
    ['a round without maxRounds', { round: 1 }],
    ['a round beyond maxRounds', { round: 9, maxRounds: 8 }],
    ['a round that is not a positive integer', { round: 0, maxRounds: 8 }],
    ['a time that is not a string', { time: 42 }],
    ['an oversized time', { time: 'x'.repeat(65) }],
    ['an execution id with spaces or control characters', { execution: 'a b\u001b' }],
    ['an execution id that is not a string', { execution: 7 }],
    ['something that is not an object', 'run!'],
  ])('rejects %s as bad input', (_name, event) => {
    expect(() => parseAuditEvent(event)).toThrow(AuditEventError);
  });
});
