import { FUNCTION_SETTINGS, RECHECK_SETTINGS, settingDefaults, TUNING_SETTINGS } from '../../lambdas/audit/settings';
import { STACK_SETTINGS, stackSettingDefaults } from './stack-settings';

/**
 * Defaults of every deploy-time setting, in one place: the constructs' optional props
 * read them, so a construct used on its own deploys what the documented context
 * default would. The values come from the registries (stack-settings.ts and
 * lambdas/audit/settings.ts), which the context schema reads too.
 */
export const DEFAULTS = {
  ...stackSettingDefaults(STACK_SETTINGS),
  reportPrefix: FUNCTION_SETTINGS.reportPrefix.default,
  digestMaxTargets: FUNCTION_SETTINGS.digestMaxTargets.default,
  checkpointIntervalSeconds: FUNCTION_SETTINGS.checkpointIntervalSeconds.default,
  publishFindings: FUNCTION_SETTINGS.publishFindings.default,
  ...settingDefaults(TUNING_SETTINGS),
  ...settingDefaults(RECHECK_SETTINGS),

  // Fixed values, not context keys: only a construct's props can change them.
  dlqRetentionDays: 14,
  /** Rounds (invocations) a state machine execution may take before it writes the report as it stands. */
  stateMachineMaxRounds: 8,
  /** Timeout of the re-check function (minutes): a re-check reads a few targets, not the organization. */
  recheckFunctionTimeoutMinutes: 5,
  /** Times SQS hands a change to the re-check before it dead-letters it (Lambda asks for at least 5). */
  recheckMaxReceiveCount: 10,
  /**
   * Changes the re-check function receives per invocation, and how long the queue gathers
   * them (seconds): a burst (500 moves into one OU) fits one batch, so it is one listing of
   * that OU, not five; 30 s keeps the wait short beside the minutes a change takes to settle.
   * A batch also ends at Lambda's 6 MB payload, some 2,000 CloudTrail events.
   */
  recheckBatchSize: 1_000,
  recheckBatchingWindowSeconds: 30,
} as const;
