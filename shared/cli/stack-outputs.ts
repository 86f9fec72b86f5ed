/** Reads a stage's CloudFormation outputs: how `vigil` finds the table and topics from `--stage`. */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { stackNameOf } from '../../infra/config/outputs';

/** Outputs of a deployed stack by key; undefined when the stage has no stack in this account and region. */
export async function readStackOutputs(
  cfn: CloudFormationClient,
  stage: string,
): Promise<Readonly<Record<string, string>> | undefined> {
  const stackName = stackNameOf(stage);
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (stack === undefined) return undefined;
    return Object.fromEntries(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey !== undefined && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    );
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError naming it.
    if (isMissingStack(error, stackName)) return undefined;
    throw error;
  }
}

/** True for CloudFormation's "Stack with id X does not exist". */
export function isMissingStack(error: unknown, stackName: string): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationError' &&
    error.message.includes(`Stack with id ${stackName} does not exist`)
  );
}
