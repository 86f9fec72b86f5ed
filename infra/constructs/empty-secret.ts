import { Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * A secret created without a value: nothing of it is in the template, so no later change to the
 * stack rewrites what the operator put in it. What reads it reports the missing value until then.
 * `rotation` says how the value is rotated (a Lambda cannot: the value is issued elsewhere), for
 * cdk-nag's SMG4.
 */
export function createEmptySecret(
  scope: Construct,
  id: string,
  props: {
    readonly name: string;
    readonly description: string;
    readonly key?: kms.IKey;
    readonly rotation: string;
  },
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: props.name,
    description: props.description,
    encryptionKey: props.key,
  });
  // CDK generates a random value unless told otherwise; with neither property the secret has none.
  const cfn = secret.node.defaultChild;
  if (!(cfn instanceof secretsmanager.CfnSecret))
    throw new Error(`secret ${props.name}: no CfnSecret to configure`);
  cfn.addPropertyDeletionOverride('GenerateSecretString');
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: props.rotation });
  return secret;
}
