import { App, type AppProps, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadAuditStackConfig } from './config/audit-config';
import { SecurityHubConfigAuditStack } from './stacks/security-hub-config-audit-stack';
import { AuditContextError } from './config/errors';

/** The app and its one stack. */
export interface AuditApp {
  readonly app: App;
  readonly stack: SecurityHubConfigAuditStack;
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
  // cdk-nag 3 is a CDK validation plugin: any unacknowledged finding fails synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
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
