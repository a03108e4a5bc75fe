import { templateFor } from './infra/test-app';

/**
 * The tests, the CLI and the benchmarks run on the Node.js that `npm ci` installs from the
 * npm registry (package.json `optionalDependencies`), and that must be the Lambda's own
 * major version, so what passes here is what runs in AWS.
 */
describe('Node.js runtime', () => {
  it('runs the tests on the same major version as the audit Lambda', () => {
    const functions = Object.values(templateFor().findResources('AWS::Lambda::Function')) as {
      Properties: { Description?: string; Runtime?: string };
    }[];
    const audit = functions.filter((f) => f.Properties.Description?.startsWith('Nightly audit'));
    expect(audit).toHaveLength(1);
    const major = process.versions.node.split('.')[0];
    expect(audit[0]?.Properties.Runtime).toBe(`nodejs${major}.x`);
  });
});
