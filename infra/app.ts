import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../shared/domain/errors';
import { stackNameOf } from './config/outputs';
import { validateConfig } from './config/schema';
import { loadStageConfig, scaleStageInput } from './config/stages';
import { VigilStack } from './stacks/vigil-stack';

/**
 * CDK entry point: `cdk synth -c stage=<dev|prod>`, or `-c scaleTargets=<n>` for the generated
 * scale stage; environment-agnostic, no lookups.
 */
function main(): void {
  const app = new App();
  const stageContext: unknown = app.node.tryGetContext('stage');
  const scaleContext: unknown = app.node.tryGetContext('scaleTargets');
  const config =
    scaleContext === undefined
      ? loadStageConfig(typeof stageContext === 'string' ? stageContext : 'dev')
      : validateConfig(scaleStageInput(Number(scaleContext)));
  new VigilStack(app, stackNameOf(config.stage), {
    config,
    description: `Vigil alerting pipeline (${config.stage})`,
  });
  // cdk-nag AwsSolutions: an unacknowledged finding fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

try {
  main();
} catch (error) {
  // A config mistake is the operator's to fix: one line naming the field, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  // Exit now: the app must not go on to synthesise an empty assembly.
  process.exit(1);
}
