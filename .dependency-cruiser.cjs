/**
 * Module-graph rules, checked by `npm run lint`: no cycle anywhere (type-only imports
 * included, since a type cycle still ties two modules' designs together), and the Lambda's
 * code never imports the CDK app or the tests.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle, type-only imports included: move the shared part to a type module or a lower layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lambda-stays-self-contained',
      severity: 'error',
      comment: 'The Lambda bundle must not pull in the CDK app or test code.',
      from: { path: '^lambdas/' },
      to: { path: '^(infra|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|reports)/' },
    // Keep `import type` edges: they are part of the design graph too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
