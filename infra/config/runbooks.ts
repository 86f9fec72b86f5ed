/** SSM Automation runbooks the stack ships, by name, so config and stack agree on them. */

/** Name of the stage's own runbook that restarts an ECS service (a new deployment of its tasks). */
export function restartEcsRunbookName(stage: string): string {
  return `vigil-${stage}-restart-ecs-service`;
}

/** Parameters the restart runbook takes besides AutomationAssumeRole. */
export const RESTART_ECS_PARAMETERS = ['ClusterName', 'ServiceName'] as const;
