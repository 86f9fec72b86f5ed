// The in-process dynalite lives with the local replay; tests use the same code.
export { createAlertTable, startDynalite } from '../../shared/replay/local-dynamo';
export type { RunningDynalite } from '../../shared/replay/local-dynamo';

import { createHttpDocTable } from '../../shared/adapters/dynamo-http';
import type { DocTable } from '../../shared/adapters/doc-table';
import type { RunningDynalite as Dynalite } from '../../shared/replay/local-dynamo';

/** The Lambdas' own DynamoDB client (signed HTTP, no SDK) pointed at a local dynalite. */
export function localDocTable(db: Pick<Dynalite, 'endpoint'>): DocTable {
  return createHttpDocTable({
    region: 'eu-west-1',
    credentials: () => Promise.resolve({ accessKeyId: 'test', secretAccessKey: 'test' }),
    env: { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint },
  });
}
