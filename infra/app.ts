// `npx cdk synth` / `npx cdk deploy` entry point.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OzStack } from './stack';

const app = new App();
// cdk-nag's AwsSolutions checks on every synth and deploy: a new finding fails it until it is fixed
// or acknowledged with a reason in infra/nag.ts (`-c nag=false` skips them).
if (app.node.tryGetContext('nag') !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new OzStack(app, app.node.tryGetContext('stackName') ?? 'OzBiometrics', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  retainData: app.node.tryGetContext('retainData') !== 'false',
});
app.synth();
