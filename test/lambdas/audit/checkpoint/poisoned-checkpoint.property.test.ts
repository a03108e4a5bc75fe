/**
 * Property: a checkpoint read back from the bucket is untrusted. Whatever its bytes hold
 * (fields replaced by hostile values, entries dropped or duplicated, ids moved between
 * lists), decoding either refuses it with CheckpointIntegrityError, so the run starts
 * over, or accepts one that a walk and a fan-out can resume from: every answer is for a
 * target the walk found, at most one answer per target, and the walk is resumable.
 */
import fc from 'fast-check';
import { decodeCheckpoint, sha256Hex } from '../../../../lambdas/audit/checkpoint/checkpoint-codec';
import { gzipSync } from 'node:zlib';
import { checkSavedWalk, walkedTargets } from '../../../../lambdas/audit/organizations/saved-walk';
import { RUN_ID, sampleCheckpoint } from './checkpoint-fixtures';
import { CheckpointIntegrityError } from '../../../../lambdas/audit/errors';

/** Values an attacker may write where any field was. */
const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('../../etc/passwd', '__proto__', 'r-ab12', 'ou-ab12-11111111', '111111111111', 'x'.repeat(5000)),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.boolean(),
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value`. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }
  return here;
}

/** A mutation of a JSON document at one path. */
type Mutation = { kind: 'set'; value: unknown } | { kind: 'drop' } | { kind: 'duplicate' };

function mutate(doc: Json, path: (string | number)[], mutation: Mutation): Json {
  if (path.length === 0) return mutation.kind === 'set' ? (mutation.value as Json) : doc;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (mutation.kind === 'set') parent[last] = mutation.value as Json;
  else if (Array.isArray(parent) && typeof last === 'number') {
    if (mutation.kind === 'drop') parent.splice(last, 1);
    else parent.splice(last, 0, structuredClone(parent[last]) as Json);
  } else if (mutation.kind === 'drop') delete parent[last];
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  hostileValue.map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'drop' as const }),
  fc.constant({ kind: 'duplicate' as const }),
);

const base = JSON.parse(JSON.stringify(sampleCheckpoint())) as Json;
const allPaths = paths(base);

describe('a poisoned checkpoint', () => {
  it('is refused with CheckpointIntegrityError, or accepted only when it can be resumed from', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: allPaths.length - 1 }), mutation), { minLength: 1, maxLength: 3 }),
        (mutations) => {
          let doc = base;
          for (const [index, m] of mutations) {
            const candidates = paths(doc);
            doc = mutate(doc, candidates[index % candidates.length], m);
          }
          const body = gzipSync(Buffer.from(JSON.stringify(doc)));
          let checkpoint;
          try {
            checkpoint = decodeCheckpoint(body, { sha256: sha256Hex(body), runId: RUN_ID });
          } catch (error) {
            expect(error).toBeInstanceOf(CheckpointIntegrityError);
            return;
          }
          expect(() => checkSavedWalk(checkpoint.walk)).not.toThrow();
          const walked = new Set(walkedTargets(checkpoint.walk).map((t) => t.id));
          const answered = [
            ...checkpoint.fetch.associations.map((a) => a.targetId),
            ...checkpoint.fetch.unprocessed.map((u) => u.targetId),
            ...checkpoint.fetch.redrive.map((u) => u.targetId),
            ...checkpoint.fetch.unanswered,
          ];
          expect(new Set(answered).size).toBe(answered.length);
          for (const id of answered) expect(walked.has(id)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
