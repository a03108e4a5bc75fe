import { AuditError } from '../../../../lambdas/audit/errors';
import { buildFailureAlert, MAX_ALERT_ERROR_LENGTH } from '../../../../lambdas/audit/notify/failure-alert';
import { isDisplaySafe } from '../../../support/is-display-safe';

describe('buildFailureAlert', () => {
  it('says the audit could not run, with the kind, the problem and what happens next', () => {
    const alert = buildFailureAlert(new AuditError('BAD_INPUT', 'Invalid baseline s3://b/k: targets: duplicate key'), {
      requestId: 'req-9',
    });
    expect(alert.subject).toBe('Security Hub config audit could not run: BAD_INPUT');
    expect(alert.subject.length).toBeLessThan(100);
    expect(alert.message.split('\n')).toEqual([
      'audit could not run: BAD_INPUT: Invalid baseline s3://b/k: targets: duplicate key',
      '',
      expect.stringContaining('Not retried.') as unknown,
      'Lambda request id: req-9',
    ]);
  });

  it('keeps a hostile message display-safe and short', () => {
    const alert = buildFailureAlert(new AuditError('PERMISSION', `\u001b[2J\r\nforged\u202e${'x'.repeat(10_000)}`), {
      requestId: 'r',
    });
    const first = alert.message.split('\n')[0];
    expect(isDisplaySafe(first)).toBe(true);
    expect(first).toContain('PERMISSION: \\x1b[2J\\x0d\\x0aforged\\u202e');
    expect(first.length).toBeLessThanOrEqual('audit could not run: PERMISSION: '.length + MAX_ALERT_ERROR_LENGTH + 1);
  });
});
