/**
 * The stack as a construct of someone else's CDK app: no cdk.json of this repository, no
 * context, the settings given as props, cdk-nag applied by that app.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditContextError } from '../../infra/config/errors';
import { SecurityHubConfigAuditStack } from '../../infra/stacks/security-hub-config-audit-stack';

describe('the stack in another CDK app', () => {
  it('synthesizes from plain props, passes cdk-nag there, and honours the settings', () => {
    const app = new App({ context: {} });
    const stack = new SecurityHubConfigAuditStack(app, 'Consumer', {
      settings: { alertEmails: ['secops@example.com'], functionMemoryMb: 2048 },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 2048 });
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses a bad setting with the same message the context gets', () => {
    const app = new App({ context: {} });
    expect(() => new SecurityHubConfigAuditStack(app, 'Bad', { settings: { functionMemoryMb: 64 } })).toThrow(
      AuditContextError,
    );
  });
});
