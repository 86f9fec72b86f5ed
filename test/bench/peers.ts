// The local peers every Lambda section runs against: dynalite with the alert table, and the AWS
// stand-in for everything else.
import { createAlertTable, startDynalite } from '../../shared/replay/local-dynamo';
import type { RunningDynalite } from '../../shared/replay/local-dynamo';
import type { LambdaPeers } from './lambdas';
import type { LocalAws } from '../support/local-aws';
import { startLocalAws } from '../support/local-aws';

/** Running peers and the addresses Lambdas get. */
export interface BenchPeers extends LambdaPeers {
  readonly dynalite: RunningDynalite;
  readonly aws: LocalAws;
  readonly stop: () => Promise<void>;
}

/** Starts dynalite (with table `tableName`) and the AWS stand-in in this process. */
export async function startBenchPeers(tableName = 'vigil-bench'): Promise<BenchPeers> {
  const dynalite = await startDynalite();
  const aws = await startLocalAws();
  await createAlertTable(dynalite.client, tableName);
  return {
    dynalite,
    aws,
    dynamoEndpoint: dynalite.endpoint,
    tableName,
    awsUrl: aws.url,
    stop: async () => {
      await aws.stop();
      await dynalite.stop();
    },
  };
}
