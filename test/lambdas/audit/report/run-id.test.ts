import { errorKindOf, RunIdError } from '../../../../lambdas/audit/errors';
import { deriveRunId, MAX_CLOCK_SKEW_MS, MAX_EVENT_AGE_MS, runIdDate } from '../../../../lambdas/audit/report/run-id';

const NOW = Date.parse('2026-11-26T02:03:04.567Z');

describe('deriveRunId', () => {
  it('names a scheduled run after its event time', () => {
    expect(deriveRunId({ scheduledTime: '2026-11-26T02:00:00Z', now: NOW, random: () => 0.5 })).toEqual({
      runId: '20261126T020000Z',
      runTime: '2026-11-26T02:00:00.000Z',
      dt: '2026-11-26',
      trigger: 'SCHEDULED',
    });
  });

  it('gives a retried invocation of the same schedule the same id, whatever the start time and randomness', () => {
    const a = deriveRunId({ scheduledTime: '2026-11-26T02:00:00Z', now: NOW, random: () => 0.1 });
    const b = deriveRunId({ scheduledTime: '2026-11-26T02:00:00Z', now: NOW + 600_000, random: () => 0.9 });
    expect(b).toEqual(a);
  });

  it('drops sub-seconds and converts offsets to UTC, including the date', () => {
    expect(
      deriveRunId({ scheduledTime: '2026-11-26T01:30:00.999+02:00', now: NOW, random: Math.random }),
    ).toMatchObject({
      runId: '20261125T233000Z',
      runTime: '2026-11-25T23:30:00.000Z',
      dt: '2026-11-25',
    });
  });

  it('names a manual run after its start time with a random suffix', () => {
    expect(deriveRunId({ now: NOW, random: () => 0.5 })).toEqual({
      runId: '20261126T020304Z-manual-800000',
      runTime: '2026-11-26T02:03:04.567Z',
      dt: '2026-11-26',
      trigger: 'MANUAL',
    });
    expect(deriveRunId({ now: NOW, random: () => 0 }).runId).toBe('20261126T020304Z-manual-000000');
    expect(deriveRunId({ now: NOW, random: () => 0.999_999_999_9 }).runId).toBe('20261126T020304Z-manual-ffffff');
    expect(deriveRunId({ now: NOW, random: () => 1 }).runId).toBe('20261126T020304Z-manual-ffffff');
  });

  it('sorts manual ids after the scheduled id of the same second', () => {
    const scheduled = deriveRunId({ scheduledTime: '2026-11-26T02:03:04Z', now: NOW, random: Math.random }).runId;
    const manual = deriveRunId({ now: NOW, random: () => 0 }).runId;
    expect([manual, scheduled].sort()).toEqual([scheduled, manual]);
  });

  it.each([
    '',
    'yesterday',
    '2026-11-26',
    '2026-11-26 02:00:00Z',
    '2026-11-26T02:00:00',
    '2026-02-30T00:00:00Z',
    '2026-11-26T24:00:00Z',
    '2026-11-26T02:00:00+25:00',
  ])('rejects the event time %p', (scheduledTime) => {
    expect(() => deriveRunId({ scheduledTime, now: NOW, random: Math.random })).toThrow(RunIdError);
    expect(() => deriveRunId({ scheduledTime, now: NOW, random: Math.random })).toThrow(
      `event time ${JSON.stringify(scheduledTime)} is not an ISO 8601 date-time`,
    );
  });
});

describe('deriveRunId and the clock', () => {
  it('refuses a scheduled time more than MAX_CLOCK_SKEW_MS ahead of now, as BAD_INPUT', () => {
    const ahead = new Date(NOW + MAX_CLOCK_SKEW_MS + 1000).toISOString();
    const error = (() => {
      try {
        deriveRunId({ scheduledTime: ahead, now: NOW, random: Math.random });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RunIdError);
    expect(errorKindOf(error)).toBe('BAD_INPUT');
    expect((error as Error).message).toContain('more than 60 minutes after the current time 2026-11-26T02:03:04.567Z');
  });

  it('accepts a scheduled time from the skew ahead to 24 hours behind (a late retry or round)', () => {
    const justInside = new Date(NOW + MAX_CLOCK_SKEW_MS).toISOString();
    expect(deriveRunId({ scheduledTime: justInside, now: NOW, random: Math.random }).trigger).toBe('SCHEDULED');
    const oldest = new Date(NOW - MAX_EVENT_AGE_MS).toISOString();
    expect(deriveRunId({ scheduledTime: oldest, now: NOW, random: Math.random }).trigger).toBe('SCHEDULED');
  });

  it('refuses a scheduled time more than 24 hours behind the clock (BAD_INPUT) unless it is an explicit re-run', () => {
    const tooOld = new Date(NOW - MAX_EVENT_AGE_MS - 1000).toISOString();
    const attempt = (rerun?: boolean) => () =>
      deriveRunId({ scheduledTime: tooOld, now: NOW, random: Math.random, rerun });
    expect(attempt()).toThrow(RunIdError);
    expect(attempt(false)).toThrow(/more than 24 hours before the current time.*"rerun": true.*--rerun/);
    expect(() => deriveRunId({ scheduledTime: '2024-11-26T02:00:00Z', now: NOW, random: Math.random })).toThrow(
      RunIdError,
    );
    expect(
      deriveRunId({ scheduledTime: '2024-11-26T02:00:00Z', now: NOW, random: Math.random, rerun: true }).runId,
    ).toBe('20241126T020000Z');
  });

  it('bounds a hostile event time in its message', () => {
    const scheduledTime = `${'x'.repeat(10_000)}\u001b[2J`;
    expect(() => deriveRunId({ scheduledTime, now: NOW, random: Math.random })).toThrow(/^.{0,200}$/s);
  });
});

describe('runIdDate', () => {
  it('reads the date back from scheduled and manual ids', () => {
    expect(runIdDate('20261126T020000Z')).toBe('2026-11-26');
    expect(runIdDate('20261126T020304Z-manual-00ff00')).toBe('2026-11-26');
    expect(runIdDate('latest')).toBeNull();
    expect(runIdDate('20261126T020000Z-manual-XYZ')).toBeNull();
  });
});
