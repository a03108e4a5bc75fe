import { AuditError, errorKindOf, isPermanent } from '../../../lambdas/audit/errors';

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

  it('gives an aggregate the most actionable kind of its parts', () => {
    const both = new AggregateError([new AuditError('TRANSIENT', 'a'), new ExampleInputError('b')]);
    expect(errorKindOf(both)).toBe('BAD_INPUT');
    expect(errorKindOf(new AggregateError([new Error('x')]))).toBe('TRANSIENT');
  });
});
