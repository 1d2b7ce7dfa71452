// The layer rules of the architecture (README "Architecture"), checked by test/unit/layers.test.ts
// in `npm test` and `npm run test:unit`: the core knows nothing of the cloud, the edges or the
// inference; the search and vision libraries know nothing of the core; adapters are the only
// bridge; the local runtime and the CDK app (infra) are used by nothing but scripts and tests; the
// console (web) stands apart.
/* global module */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'layers/core holds the use cases and their ports: no adapters, edges, runtime, inference, PDF or search code, and no AWS SDK.',
      severity: 'error',
      from: { path: '^layers/core/' },
      to: { path: ['^layers/(adapters|vision|report|search)/', '^functions/', '^infra/', '^web/', '^scripts/', '^test/', 'node_modules/(@aws-sdk|aws-cdk-lib|@aws-lambda-powertools)/'] },
    },
    {
      name: 'libraries-know-no-core',
      comment: 'layers/search and layers/vision are libraries: the adapters translate them to the core\'s ports.',
      severity: 'error',
      from: { path: '^layers/(search|vision)/' },
      to: { path: ['^layers/(core|adapters|report)/', '^functions/', '^infra/', '^web/', 'node_modules/@aws-sdk/'] },
    },
    {
      name: 'layers-know-no-functions',
      comment: 'The layers are used by the Lambda entries, never the other way round.',
      severity: 'error',
      from: { path: '^layers/' },
      to: { path: '^functions/' },
    },
    {
      name: 'nothing-deployed-imports-infra',
      comment: 'infra is the CDK app and the local runtime: functions and layers run without them.',
      severity: 'error',
      from: { path: '^(functions|layers)/' },
      to: { path: '^infra/' },
    },
    {
      name: 'web-is-separate',
      comment: 'The console is its own app: it shares only the core\'s pure rules (access matrix, entity types), and nothing imports it.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: ['^layers/(adapters|vision|report|search)/', '^functions/', '^infra/', 'node_modules/@aws-sdk/'] },
    },
    {
      name: 'nothing-imports-web',
      severity: 'error',
      from: { pathNot: '^web/' },
      to: { path: '^web/src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^cdk\\.out', '^web/dist', '^\\.oz-data'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    moduleSystems: ['cjs', 'es6'],
  },
};
