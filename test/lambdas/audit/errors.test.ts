import * as errors from '../../../lambdas/audit/errors';
import { AuditError, errorKindOf, InvariantError, isPermanent } from '../../../lambdas/audit/errors';

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
