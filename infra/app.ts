import { App, type AppProps, type Environment, Tags, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ORGANIZATIONS_EVENT_REGION } from '../lambdas/audit/recheck/change-events';
import { type AuditStackConfig, loadAuditStackConfig } from './config/audit-config';
import { recheckBusName } from './constructs/recheck-names';
import { ManagementEventForwarderStack } from './stacks/management-event-forwarder-stack';
import { SecurityHubConfigAuditStack } from './stacks/security-hub-config-audit-stack';
import { AuditContextError } from './config/errors';

/** The app, its audit stack and, with the re-check, the management account's forwarder stack. */
export interface AuditApp {
  readonly app: App;
  readonly stack: SecurityHubConfigAuditStack;
  /** Present with `recheck` and `managementAccountId`; deploy it after {@link stack}. */
  readonly forwarder?: ManagementEventForwarderStack;
}

/**
 * Builds the app: reads and validates the context, creates the stack and applies
 * the cdk-nag AWS Solutions checks (unacknowledged findings fail synthesis).
 *
 * The stack is environment-agnostic unless the CLI resolved an account and Region
 * from credentials (CDK_DEFAULT_*): nothing here looks anything up, so `cdk synth`
 * works offline and without credentials.
 *
 * @param props app properties (tests pass context here)
 * @param env target environment; tests pass `{}` to stay environment-agnostic
 * @throws AuditContextError for invalid context, naming the keys.
 */
export function createAuditApp(
  props: AppProps = {},
  env: Environment = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
): AuditApp {
  const app = new App(props);
  const config = loadAuditStackConfig(app);
  const stack = new SecurityHubConfigAuditStack(app, config.stackName, {
    config,
    env,
  });
  Tags.of(stack).add('application', 'securityhub-config-audit');
  const forwarder = createForwarder(app, config, env);
  if (forwarder) {
    Tags.of(forwarder).add('application', 'securityhub-config-audit');
  }
  // cdk-nag 3 is a CDK validation plugin: any unacknowledged finding fails synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, forwarder };
}

/** CloudFormation's longest stack name. */
const MAX_STACK_NAME_LENGTH = 128;
const FORWARDER_STACK_SUFFIX = '-OrgEventForwarder';

/**
 * The management account's forwarder stack (us-east-1), when the re-check takes
 * Organizations events. Its rule targets the audit account's changes bus by ARN, so the
 * audit account and home Region must be known at synth: from the CLI's credentials
 * (CDK_DEFAULT_ACCOUNT/REGION) or the `env` given. Deploy the audit stack first.
 */
function createForwarder(
  app: App,
  config: AuditStackConfig,
  env: Environment,
): ManagementEventForwarderStack | undefined {
  if (!config.recheck || config.managementAccountId === undefined) {
    return undefined;
  }
  const { account, region } = env;
  if (account === undefined || region === undefined || Token.isUnresolved(account) || Token.isUnresolved(region)) {
    throw new AuditContextError([
      'recheck: the management-account forwarder targets the audit account and home Region, which are unknown: ' +
        'synthesize with credentials for the audit account (CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION)',
    ]);
  }
  const base = config.stackName.slice(0, MAX_STACK_NAME_LENGTH - FORWARDER_STACK_SUFFIX.length);
  return new ManagementEventForwarderStack(app, `${base}${FORWARDER_STACK_SUFFIX}`, {
    env: { account: config.managementAccountId, region: ORGANIZATIONS_EVENT_REGION },
    auditAccountId: account,
    homeRegion: region,
    busName: recheckBusName(config.stackName),
  });
}

if (require.main === module) {
  try {
    createAuditApp().app.synth();
  } catch (error) {
    if (error instanceof AuditContextError) {
      // The message lists every bad key; a stack trace would only bury it.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
