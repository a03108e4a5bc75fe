import { Template } from 'aws-cdk-lib/assertions';
import type { AuditApp } from '../../infra/app';
import { resourceWithId } from './template-json';
import { createRecheckTestApp, logicalIdStartingWith, onlyResource } from './test-app';

/** The properties of an event-pattern rule, as the template has them. */
interface PatternRuleProperties {
  readonly EventPattern: object;
  readonly EventBusName?: unknown;
  readonly Name?: string;
}

/** The event patterns of the re-check's three rules, as synthesized (plain JSON, no tokens). */
export interface SynthesizedRecheckPatterns {
  /** The audit account's default-bus rule (Security Hub API calls). */
  readonly securityHub: object;
  /** The audit account's changes-bus rule (forwarded Organizations events). */
  readonly organizations: object;
  /** The management account's forwarding rule (us-east-1, default bus). */
  readonly forwarder: object;
}

let synthesized: { readonly app: AuditApp; readonly audit: Template; readonly forwarder: Template } | undefined;

/**
 * The re-check app (test-app.ts RECHECK_CONTEXT, RECHECK_ENV), synthesized once per test
 * file: both stacks' templates.
 */
export function synthesizedRecheckApp(): {
  readonly app: AuditApp;
  readonly audit: Template;
  readonly forwarder: Template;
} {
  if (synthesized === undefined) {
    const app = createRecheckTestApp();
    if (app.forwarder === undefined) {
      throw new Error('the re-check app has no forwarder stack');
    }
    synthesized = { app, audit: Template.fromStack(app.stack), forwarder: Template.fromStack(app.forwarder) };
  }
  return synthesized;
}

/**
 * The event patterns of the synthesized rules, read from the template JSON, so that a
 * pattern matcher can test sample events against exactly what EventBridge will be given.
 */
export function synthesizedRecheckPatterns(): SynthesizedRecheckPatterns {
  const { audit, forwarder } = synthesizedRecheckApp();
  const pattern = (template: Template, prefix: string): object =>
    resourceWithId<PatternRuleProperties>(
      template,
      'AWS::Events::Rule',
      logicalIdStartingWith(template, 'AWS::Events::Rule', prefix),
    ).Properties.EventPattern;
  return {
    securityHub: pattern(audit, 'RecheckEventsSecurityHubRule'),
    organizations: pattern(audit, 'RecheckEventsOrganizationsRule'),
    forwarder: onlyResource<PatternRuleProperties>(forwarder, 'AWS::Events::Rule').resource.Properties.EventPattern,
  };
}
