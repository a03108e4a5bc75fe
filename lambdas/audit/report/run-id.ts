/**
 * Run identity. A scheduled run is named after its EventBridge event time, so a
 * retried invocation of the same schedule gets the same id and overwrites its own
 * objects instead of adding a second run for the day.
 */
import type { RunTrigger } from '../model';
import { displaySafe } from '../util/display-text';
import { RunIdError } from '../errors';

/**
 * How far ahead of the clock a run time may be: 1 hour. A scheduled time beyond it is
 * refused, and a `latest/run.json` naming a run beyond it is not trusted, since a run
 * from the future would sort after every real run and freeze `latest/` on itself.
 */
export const MAX_CLOCK_SKEW_MS = 3_600_000;

/**
 * How far behind the clock a schedule time may be without an explicit re-run: 24 hours,
 * longer than a run (its retries and state-machine rounds) can take. An older event is a
 * replay; judged today but filed under its old date, it would read like an old report.
 * @internal Exported for its tests.
 */
export const MAX_EVENT_AGE_MS = 24 * 3_600_000;

/** True when `runTimeMs` lies more than {@link MAX_CLOCK_SKEW_MS} after `nowMs`. */
export function isBeyondClockSkew(runTimeMs: number, nowMs: number): boolean {
  return runTimeMs > nowMs + MAX_CLOCK_SKEW_MS;
}

export interface RunIdentity {
  /** `20261126T020000Z` (scheduled) or `20261126T020000Z-manual-a1b2c3` (manual). */
  readonly runId: string;
  /** ISO 8601 UTC with milliseconds, e.g. `2026-11-26T02:00:00.000Z`. */
  readonly runTime: string;
  /** `YYYY-MM-DD`, the UTC date of `runTime`: the `dt` partition. */
  readonly dt: string;
  readonly trigger: RunTrigger;
}

export interface RunIdInput {
  /** EventBridge `event.time` of a scheduled run; absent for a manual run. */
  readonly scheduledTime?: string;
  /** Start time, epoch ms: names a manual run, and bounds how far ahead a scheduled time may be. */
  readonly now: number;
  /** Uniform in [0, 1), like Math.random; gives manual runs their suffix. */
  readonly random: () => number;
  /** An explicit re-run: a schedule time older than {@link MAX_EVENT_AGE_MS} is accepted. */
  readonly rerun?: boolean;
}

/** Matches every run id this module makes; group 1–3 are the UTC date. */
export const RUN_ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T\d{6}Z(?:-manual-[0-9a-f]{6})?$/;

const EVENT_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch ms of an ISO 8601 date-time with zone, or NaN. Stricter than Date.parse, which rolls 02-30 over to March. */
function parseEventTime(text: string): number {
  const m = EVENT_TIME_PATTERN.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const realTime = hour < 24 && minute < 60 && second < 60;
  const realZone = m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60);
  return realDay && realTime && realZone ? Date.parse(text) : Number.NaN;
}

/** `yyyymmddThhmmssZ` of an instant. */
function compactTime(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Why a schedule time at `epochMs` cannot name a run at `input.now`, or `null`. */
function scheduleTimeProblem(text: string, epochMs: number, input: RunIdInput): string | null {
  const now = new Date(input.now).toISOString();
  if (isBeyondClockSkew(epochMs, input.now)) {
    return `event time ${text} is more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes after the current time ${now}; a run from the future would keep latest/ on itself`;
  }
  if (input.rerun !== true && input.now - epochMs > MAX_EVENT_AGE_MS) {
    return `event time ${text} is more than ${MAX_EVENT_AGE_MS / 3_600_000} hours before the current time ${now}; to replay an old schedule, ask for an explicit re-run (event field "rerun": true, CLI --rerun)`;
  }
  return null;
}

/**
 * Names a run. Scheduled: from the event time (`2026-11-26T02:00:00Z` →
 * `20261126T020000Z`, sub-seconds dropped). Manual: the start time plus
 * `-manual-` and 6 hex digits. Ids sort in time order.
 * @throws RunIdError (BAD_INPUT) when the event time is not an ISO 8601 date-time with
 *   zone, lies more than {@link MAX_CLOCK_SKEW_MS} after `now`, or more than
 *   {@link MAX_EVENT_AGE_MS} before it without `rerun`.
 */
export function deriveRunId(input: RunIdInput): RunIdentity {
  if (input.scheduledTime !== undefined) {
    const text = input.scheduledTime;
    const epochMs = parseEventTime(text);
    if (Number.isNaN(epochMs)) {
      throw new RunIdError(
        `Cannot derive a run id: event time ${JSON.stringify(displaySafe(text, 64))} is not an ISO 8601 date-time like 2026-11-26T02:00:00Z`,
      );
    }
    if (!Number.isFinite(input.now))
      throw new RunIdError(`Cannot derive a run id: start time ${input.now} is not a number`);
    const problem = scheduleTimeProblem(text, epochMs, input);
    if (problem !== null) throw new RunIdError(`Cannot derive a run id: ${problem}`);
    const seconds = Math.floor(epochMs / 1000) * 1000;
    const runTime = new Date(seconds).toISOString();
    return { runId: compactTime(seconds), runTime, dt: runTime.slice(0, 10), trigger: 'SCHEDULED' };
  }
  if (!Number.isFinite(input.now))
    throw new RunIdError(`Cannot derive a run id: start time ${input.now} is not a number`);
  const runTime = new Date(input.now).toISOString();
  const r = Math.min(Math.max(input.random(), 0), 0.999_999_999);
  const suffix = Math.floor(r * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return { runId: `${compactTime(input.now)}-manual-${suffix}`, runTime, dt: runTime.slice(0, 10), trigger: 'MANUAL' };
}

/** The `dt` (UTC date) a run id encodes, or `null` when it is not a run id. */
export function runIdDate(runId: string): string | null {
  const match = RUN_ID_PATTERN.exec(runId);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/**
 * Matches every re-check id {@link deriveRecheckId} makes: `recheck-` first, so a re-check
 * id can never be taken for a run id (and sort among the nightly runs); group 1–3 are the UTC date.
 */
export const RECHECK_ID_PATTERN = /^recheck-(\d{4})(\d{2})(\d{2})T\d{6}Z-[0-9a-f]{6}$/;

/**
 * Names a re-check: `recheck-` plus its start time (`yyyymmddThhmmssZ`) and 6 hex digits,
 * e.g. `recheck-20261206T083000Z-a1b2c3`. Ids of one day sort in time order.
 * @param now start time, epoch ms.
 * @param random uniform in [0, 1), like Math.random.
 * @throws RunIdError when `now` is not a number.
 */
export function deriveRecheckId(now: number, random: () => number): string {
  if (!Number.isFinite(now)) throw new RunIdError(`Cannot derive a re-check id: start time ${now} is not a number`);
  const r = Math.min(Math.max(random(), 0), 0.999_999_999);
  const suffix = Math.floor(r * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `recheck-${compactTime(now)}-${suffix}`;
}

/** The `dt` (UTC date) a re-check id encodes, or `null` when it is not a re-check id. */
export function recheckIdDate(recheckId: string): string | null {
  const match = RECHECK_ID_PATTERN.exec(recheckId);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}
