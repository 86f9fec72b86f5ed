import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig } from './config/stages';
import { VigilStack } from './stacks/vigil-stack';

/** CDK entry point: `cdk synth -c stage=<dev|prod>`; environment-agnostic, no lookups. */
const app = new App();
const stageContext: unknown = app.node.tryGetContext('stage');
const config = loadStageConfig(typeof stageContext === 'string' ? stageContext : 'dev');
new VigilStack(app, `Vigil-${config.stage}`, {
  config,
  description: `Vigil alerting pipeline (${config.stage})`,
});
// cdk-nag AwsSolutions: an unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
