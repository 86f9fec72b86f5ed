// The in-process dynalite lives with the local replay; tests use the same code.
export { createAlertTable, startDynalite } from '../../shared/replay/local-dynamo';
export type { RunningDynalite } from '../../shared/replay/local-dynamo';
