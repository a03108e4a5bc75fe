import { displaySafe } from '../util/display-text';
import { untrustedHistoryNotice } from '../history/history-notice';
import { neutralizeMentionsAndLinks } from './neutralize';
import { deploymentLabel } from './deployment-label';
import type { AssociationRow } from '../report/rows';
import { digestSubject, recheckTrigger } from './digest-subject';
import type { ChatNotification, DigestInput } from '../types/digest';

/** Targets listed in a chat message: chat is for the gist, the e-mail and report for the rest. */
const MAX_CHAT_TARGETS = 10;
/** Longest value in a chat message. */
const MAX_CHAT_VALUE_LENGTH = 80;

/**
 * `value` as literal chat text: displaySafe, then the characters Slack's mrkdwn treats
 * as markup (`&`, `<`, `>`, which make links and @channel mentions) as entities, and the
 * markdown that links, quotes code or strikes through (`` ` * ~ [ ] \ ``) backslash-escaped,
 * so a name cannot link, mention or restyle the message; mentions and bare URLs are
 * neutralized too (`@here` would otherwise ping a channel in clients that parse plain text). `_` is left alone: policy states
 * like PENDING_STALE would read worse escaped than a name could restyle with it.
 * @internal Exported for its tests.
 */
export function chatSafe(value: unknown, maxLength = MAX_CHAT_VALUE_LENGTH): string {
  return neutralizeMentionsAndLinks(chatLiteral(value, maxLength));
}

/** {@link chatSafe} without the neutralizing: for the locations the audit built itself, which must stay links. */
function chatLiteral(value: unknown, maxLength: number): string {
  return displaySafe(value ?? '-', maxLength)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*~[\]]/g, (c) => `\\${c}`);
}

function chatLine(row: AssociationRow, change: string): string {
  const name = row.target_name ? `${chatSafe(row.target_name)} ${chatSafe(row.target_id)}` : chatSafe(row.target_id);
  const reasons = row.drift_reasons.length > 0 ? row.drift_reasons.join(', ') : 'no drift';
  const message = row.association_status_message ? `, "${chatSafe(row.association_status_message)}"` : '';
  const expected = chatSafe(row.expected_policy_name ?? row.expected_policy_id);
  const actual = chatSafe(row.configuration_policy_name ?? row.configuration_policy_id);
  return `• *${change}* ${name}: ${reasons} (expected ${expected}, actual ${actual}${message})`;
}

/** The chat rendering of the digest. */
export function chatNotification(input: DigestInput): ChatNotification {
  const { summary: s, changes, options } = input;
  const listed = [
    ...changes.newDrift.map((row) => ({ row, change: 'NEW' })),
    ...changes.resolved.map((row) => ({ row, change: 'RESOLVED' })),
  ].slice(0, Math.min(options.maxTargets, MAX_CHAT_TARGETS));
  const total = changes.newDrift.length + changes.resolved.length;
  const description = [
    ...[recheckTrigger(s)].flatMap((trigger) =>
      trigger === undefined ? [] : [`Re-check triggered by ${chatSafe(trigger, 300)}.`],
    ),
    `*${s.new_drift}* new drift, *${s.resolved_drift}* resolved. Now ${s.drifted} drifted, ${s.status_failed} FAILED of ${s.targets_reported} targets. Run ${s.run_id} is *${s.run_status}*.`,
    ...[deploymentLabel(options.deployment, 'full')].flatMap((label) =>
      label === undefined ? [] : [`Sent by ${chatSafe(label, 300)}.`],
    ),
    ...[untrustedHistoryNotice(s)].flatMap((notice) => (notice === undefined ? [] : [`*${chatSafe(notice, 400)}*`])),
    ...listed.map(({ row, change }) => chatLine(row, change)),
    ...(total > listed.length ? [`… and ${total - listed.length} more`] : []),
  ].join('\n');
  const subject = digestSubject(input);
  return {
    version: '1.0',
    source: 'custom',
    id: `securityhub-config-audit-${s.run_id}`,
    content: {
      textType: 'client-markdown',
      title: `${s.new_drift > 0 ? ':warning:' : ':white_check_mark:'} ${chatSafe(subject, 120)}`,
      description,
      nextSteps: [
        `Full report: ${chatLiteral(options.reportLocation, 300)}`,
        ...(options.htmlReportLocation ? [`HTML report: ${chatLiteral(options.htmlReportLocation, 300)}`] : []),
        'Athena: run the saved query drift-latest-run in the securityhub-config-audit workgroup',
      ],
      keywords: ['SecurityHub', 'drift', s.run_status],
    },
    metadata: {
      threadId: 'securityhub-config-audit-drift',
      summary: subject,
      eventType: 'SecurityHubConfigDriftDigest',
      relatedResources: listed.map(({ row }) => displaySafe(row.target_id, MAX_CHAT_VALUE_LENGTH)),
      additionalContext: {
        run_id: s.run_id,
        run_status: s.run_status,
        new_drift: String(s.new_drift),
        resolved_drift: String(s.resolved_drift),
        drifted: String(s.drifted),
        status_failed: String(s.status_failed),
        report: displaySafe(options.reportLocation, 300),
        ...(deploymentLabel(options.deployment, 'full') === undefined
          ? {}
          : { sent_by: displaySafe(deploymentLabel(options.deployment, 'full'), 300) }),
      },
    },
  };
}
