import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createAuditApp, type AuditApp } from '../../infra/app';
import { resourcesOf, type TemplateResource } from './template-json';

/** cdk.json's context (feature flags), so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * The real app with `context` on top of cdk.json's, environment-agnostic.
 * `aws:cdk:bundling-stacks: []` is the CDK's switch that makes NodejsFunction skip
 * esbuild (assets are staged without bundling), which keeps these tests fast.
 */
export function createTestApp(context: Record<string, unknown> = {}): AuditApp {
  return createAuditApp({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } }, {});
}

/** The audit account and home Region of the re-check tests (the forwarder targets them by ARN). */
export const RECHECK_ENV = { account: '111122223333', region: 'eu-west-1' } as const;

/** The management account of the re-check tests. */
export const RECHECK_MANAGEMENT_ACCOUNT = '999988887777';

/** The context that turns the re-check on, with Organizations forwarding. */
export const RECHECK_CONTEXT: Readonly<Record<string, unknown>> = {
  recheck: true,
  managementAccountId: RECHECK_MANAGEMENT_ACCOUNT,
};

/** Like {@link createTestApp}, with the re-check on and the audit stack in {@link RECHECK_ENV}. */
export function createRecheckTestApp(context: Record<string, unknown> = {}): AuditApp {
  return createAuditApp(
    { context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...RECHECK_CONTEXT, ...context } },
    RECHECK_ENV,
  );
}

/** The synthesized stack template for `context`. */
export function templateFor(context: Record<string, unknown> = {}): Template {
  return Template.fromStack(createTestApp(context).stack);
}

/** The single resource of `type` (fails when there is not exactly one). */
export function onlyResource<P = Readonly<Record<string, unknown>>>(
  template: Template,
  type: string,
): { logicalId: string; resource: TemplateResource<P> } {
  const found = Object.entries(resourcesOf<P>(template, type));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${found.length}`);
  }
  const [logicalId, resource] = found[0];
  return { logicalId, resource };
}

/** Logical id of the resource whose id starts with `prefix`. */
export function logicalIdStartingWith(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} with id ${prefix}*, found ${ids.join(', ') || 'none'}`);
  }
  return ids[0];
}

/** Stack variants that add keys, documents, subscriptions or an imported key. */
export const STACK_VARIANTS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'new report key, documents, e-mails': {
    reportKmsKey: 'create',
    baselineKey: 'config/baseline.json',
    exclusionsKey: 'config/exclusions.json',
    alertEmails: 'sec@example.com',
    reportPrefix: 'audit',
  },
  'imported report key, Organizations role': {
    reportKmsKey: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    organizationsRoleArn: 'arn:aws:iam::111122223333:role/OrgRead',
  },
};
