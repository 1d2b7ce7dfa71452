// `npx cdk synth` / `npx cdk deploy` entry point.
import { App } from 'aws-cdk-lib';
import { OzStack } from './stack';

const app = new App();
new OzStack(app, app.node.tryGetContext('stackName') ?? 'OzBiometrics', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  retainData: app.node.tryGetContext('retainData') !== 'false',
});
app.synth();
