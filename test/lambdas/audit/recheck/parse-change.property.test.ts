/**
 * Property-based: whatever arrives on the queue, the parser returns a verdict and never
 * throws; a BAD verdict's detail is bounded and display-safe; and a CHANGE carries only ids
 * of the documented shapes, however the sample events' fields are replaced.
 */
import fc from 'fast-check';
import { POLICY_ID_PATTERN } from '../../../../lambdas/audit/drift/baseline';
import { parseChangeEvent, parseChangeMessage } from '../../../../lambdas/audit/recheck/parse-change';
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, ROOT_ID_PATTERN, isTargetId } from '../../../../lambdas/audit/target-ids';
import type { ChangeScope, ParsedEvent } from '../../../../lambdas/audit/types/recheck';
import { isDisplaySafe } from '../../../support/is-display-safe';
import { SAMPLE_NAMES, SAMPLE_SENDERS, sampleEvent } from '../../../recheck/samples/samples';

const isParent = (id: string) => ROOT_ID_PATTERN.test(id) || OU_ID_PATTERN.test(id);

/** True when every id of the scope has its documented shape. */
function validIds(scope: ChangeScope): boolean {
  switch (scope.kind) {
    case 'ACCOUNT':
      return ACCOUNT_ID_PATTERN.test(scope.accountId) && (scope.parentId === null || isParent(scope.parentId));
    case 'ACCOUNT_GONE':
      return ACCOUNT_ID_PATTERN.test(scope.accountId);
    case 'OU_CREATED':
      return OU_ID_PATTERN.test(scope.ouId) && isParent(scope.parentId) && (scope.name?.length ?? 0) <= 128;
    case 'OU_GONE':
      return OU_ID_PATTERN.test(scope.ouId);
    case 'TARGET':
      return isTargetId(scope.targetId);
    case 'POLICY':
      return POLICY_ID_PATTERN.test(scope.policyId) && scope.policyId === scope.policyId.toLowerCase();
    case 'ORGANIZATION':
      return true;
  }
}

function wellFormed(verdict: ParsedEvent): boolean {
  if (verdict.status === 'BAD') return verdict.detail.length <= 301 && isDisplaySafe(verdict.detail);
  if (verdict.status === 'IGNORED') return typeof verdict.why === 'string';
  return validIds(verdict.change.scope) && Number.isFinite(verdict.change.eventTime);
}

/** Values that look like ids, nearly like ids, or nothing like them. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    '444455556666',
    'r-ab12',
    'ou-ab12-cd34ef56',
    'a1b2c3d4-5678-4abc-8def-111111111111',
    'SELF_MANAGED_SECURITY_HUB',
  ),
  fc.constantFrom('44445555666', 'r-AB12', 'ou-ab12-cd34', '__proto__', 'constructor', '\u202e', 'SUCCEEDED', 'FAILED'),
  fc.jsonValue({ maxDepth: 2 }),
);
const FIELDS = [
  'accountId',
  'destinationParentId',
  'sourceParentId',
  'parentId',
  'organizationalUnitId',
  'identifier',
  'configurationPolicyIdentifier',
  'target',
  'rootId',
  'state',
  'id',
  'name',
];

/** Replaces `key` wherever it occurs in the event (at most depth 5) with `value`. */
function replaceEverywhere(node: unknown, key: string, value: unknown, depth = 0): void {
  if (typeof node !== 'object' || node === null || depth > 5) return;
  for (const [k, child] of Object.entries(node)) {
    if (k === key) (node as Record<string, unknown>)[k] = value;
    else replaceEverywhere(child, key, value, depth + 1);
  }
}

describe('parseChangeEvent / parseChangeMessage (properties)', () => {
  it('any JSON value: a well-formed verdict, never an exception', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => wellFormed(parseChangeEvent(value, SAMPLE_SENDERS))));
  });

  it('any text: a well-formed verdict, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) =>
        wellFormed(parseChangeMessage(text, SAMPLE_SENDERS)),
      ),
    );
  });

  it('samples with fields replaced by anything: a CHANGE has only valid ids', () => {
    const replacements = fc.array(fc.tuple(fc.constantFrom(...FIELDS), fieldValue), { maxLength: 4 });
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLE_NAMES), replacements, (name, changes) => {
        const event = sampleEvent(name);
        for (const [key, value] of changes) replaceEverywhere(event.detail, key, value);
        const verdict = parseChangeMessage(JSON.stringify(event), SAMPLE_SENDERS);
        return wellFormed(verdict) && wellFormed(parseChangeEvent(event, SAMPLE_SENDERS));
      }),
      { numRuns: 500 },
    );
  });
});
