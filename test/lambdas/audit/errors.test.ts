import * as errors from '../../../lambdas/audit/errors';
import {
  AuditError,
  errorKindOf,
  InvariantError,
  isAccessError,
  isCredentialsError,
  isMissingRegionError,
  isPermanent,
  OrganizationWalkError,
} from '../../../lambdas/audit/errors';

class ExampleInputError extends AuditError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

describe('errors', () => {
  it('keeps the kind, the subclass name and the cause', () => {
    const cause = new Error('root');
    const error = new AuditError('INTEGRITY', 'mismatch', { cause });
    expect(error.kind).toBe('INTEGRITY');
    expect(error.cause).toBe(cause);
    expect(new ExampleInputError('x').name).toBe('ExampleInputError');
  });

  it('treats errors that are not ours as transient', () => {
    expect(errorKindOf(new Error('socket hang up'))).toBe('TRANSIENT');
    expect(errorKindOf('a string')).toBe('TRANSIENT');
    expect(isPermanent(new Error('x'))).toBe(false);
  });

  it('makes bad input and permissions permanent, the rest retryable', () => {
    expect(isPermanent(new ExampleInputError('x'))).toBe(true);
    expect(isPermanent(new AuditError('PERMISSION', 'x'))).toBe(true);
    expect(isPermanent(new AuditError('TRANSIENT', 'x'))).toBe(false);
    expect(isPermanent(new AuditError('INTEGRITY', 'x'))).toBe(false);
  });

  it('makes a broken invariant its own kind, never retried, ahead of a transient fault', () => {
    const bug = new InvariantError('restoring into a ledger in use');
    expect(bug.kind).toBe('INVARIANT');
    expect(bug.message).toBe('Internal: restoring into a ledger in use');
    expect(isPermanent(bug)).toBe(true);
    expect(errorKindOf(new AggregateError([new AuditError('TRANSIENT', 'a'), bug]))).toBe('INVARIANT');
  });

  it('keeps every error class of the audit in this module, each an AuditError but the control-flow signals', () => {
    const classes = Object.entries(errors as Record<string, unknown>).filter(
      (entry): entry is [string, abstract new (...args: never[]) => unknown] =>
        typeof entry[1] === 'function' && String(entry[1]).startsWith('class '),
    );
    const signals = ['WalkPaused', 'DocumentTooDeep'];
    for (const [name, ctor] of classes) {
      expect([name, ctor.prototype instanceof Error]).toEqual([name, true]);
      expect([name, ctor === AuditError || ctor.prototype instanceof AuditError]).toEqual([
        name,
        !signals.includes(name),
      ]);
    }
    expect(classes.length).toBeGreaterThan(20);
  });

  it('gives an aggregate the most actionable kind of its parts', () => {
    const both = new AggregateError([new AuditError('TRANSIENT', 'a'), new ExampleInputError('b')]);
    expect(errorKindOf(both)).toBe('BAD_INPUT');
    expect(errorKindOf(new AggregateError([new Error('x')]))).toBe('TRANSIENT');
  });
});

describe('set-up errors the CLI tells apart', () => {
  const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
  const wrapped = (cause: unknown) => new OrganizationWalkError('ListRoots', null, cause);

  it.each([
    'CredentialsProviderError',
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidClientTokenId',
    'UnrecognizedClientException',
  ])('%s, even wrapped, is a credentials error and still an access error (permanent)', (name) => {
    expect(isCredentialsError(wrapped(named(name)))).toBe(true);
    expect(isAccessError(wrapped(named(name)))).toBe(true);
    expect(wrapped(named(name)).kind).toBe('PERMISSION');
  });

  it('a refusal is an access error, not a credentials error', () => {
    for (const name of ['AccessDeniedException', 'AccessDenied', 'AWSOrganizationsNotInUseException']) {
      expect(isAccessError(wrapped(named(name)))).toBe(true);
      expect(isCredentialsError(wrapped(named(name)))).toBe(false);
    }
  });

  it("recognizes the SDK's missing Region by its message, in the cause chain", () => {
    expect(isMissingRegionError(wrapped(new Error('Region is missing')))).toBe(true);
    expect(isMissingRegionError(new Error('Region is missing'))).toBe(true);
    expect(isMissingRegionError(new Error('Region is missing something else'))).toBe(false);
    expect(isMissingRegionError(wrapped(named('AccessDeniedException')))).toBe(false);
    expect(isCredentialsError(new Error('Region is missing'))).toBe(false);
  });
});
