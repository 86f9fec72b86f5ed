import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { fillPlaceholders } from '../../shared/domain/mitigation';
import type { RuleConfig } from '../config/schema';
import { restartEcsRunbookName } from '../config/runbooks';

/** Properties of {@link MitigationAutomation}. */
export interface MitigationAutomationProps {
  /** The stage; it names the runbook. */
  readonly stage: string;
  /** Alarm rules; those whose mitigation is an SSM Automation runbook are served here. */
  readonly rules: readonly RuleConfig[];
  /** Mitigation really runs (enabled, not a dry run): create the automation role. */
  readonly live: boolean;
}

// Above this many services a rule's grant names the cluster's services by wildcard, so the role's
// policy stays far under IAM's 10,240-character limit for inline policies of a role.
const MAX_SERVICE_ARNS = 20;

/**
 * SSM Automation for incident mitigation: the stage's own restart runbook (AWS owns none that
 * restarts an ECS service) and, when mitigation is live, the role every runbook runs as, so no
 * step runs with the permissions of the Lambda that started it.
 */
export class MitigationAutomation extends Construct {
  /** The stage's restart runbook, when a rule uses it. */
  public readonly restartRunbook?: ssm.CfnDocument;
  /** The role runbooks run as (passed as AutomationAssumeRole), when mitigation is live. */
  public readonly role?: iam.Role;

  public constructor(scope: Construct, id: string, props: MitigationAutomationProps) {
    super(scope, id);
    const runbookName = restartEcsRunbookName(props.stage);
    const ssmRules = props.rules.flatMap((rule) =>
      rule.mitigation?.kind === 'ssm-automation' ? [{ rule, action: rule.mitigation }] : [],
    );
    const own = ssmRules.filter((r) => r.action.documentName === runbookName);
    if (own.length > 0) this.restartRunbook = this.createRestartRunbook(runbookName);
    if (!props.live || ssmRules.length === 0) return;

    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      description: `Runs the ${props.stage} stage's mitigation runbooks (SSM Automation assume role)`,
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'ssm',
              resource: 'automation-execution',
              resourceName: '*',
            }),
          },
        },
      }),
    });
    for (const { rule, action } of own) {
      const cluster = action.parameters['ClusterName']?.[0] ?? '';
      const template = action.parameters['ServiceName']?.[0] ?? '';
      const services = [
        ...new Set(
          rule.targets.map((t) =>
            fillPlaceholders(template, {
              service: t.service,
              ruleId: rule.id,
              incidentId: '*',
              alarmName: '*',
            }),
          ),
        ),
      ];
      const names =
        services.some((s) => s.includes('*')) || services.length > MAX_SERVICE_ARNS ? ['*'] : services;
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
          resources: names.map((service) =>
            stack.formatArn({
              service: 'ecs',
              resource: 'service',
              resourceName: `${cluster}/${service}`,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ),
        }),
      );
      if (names.includes('*')) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/${cluster}/*]`,
          reason: `Rule ${rule.id} restarts any of its ${services.length} services in cluster ${cluster}; naming each would outgrow the role's policy size limit`,
        });
      }
    }
    for (const { action } of ssmRules) {
      for (const grant of action.automationPermissions ?? []) {
        role.addToPolicy(new iam.PolicyStatement({ actions: grant.actions, resources: grant.resources }));
      }
    }
    this.role = role;
  }

  /** Lets `grantee` pass the automation role to SSM (and to nothing else). */
  public grantPassRole(grantee: iam.IGrantable): void {
    if (!this.role) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    );
  }

  private createRestartRunbook(name: string): ssm.CfnDocument {
    const word = '^[A-Za-z0-9_-]{1,255}$';
    return new ssm.CfnDocument(this, 'RestartEcsService', {
      name,
      documentType: 'Automation',
      documentFormat: 'JSON',
      // A changed runbook becomes a new version under the same name, never a replacement.
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '0.3',
        description:
          'Restarts an ECS service: a forced new deployment replaces its tasks, then waits for the rollout to complete.',
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: {
          AutomationAssumeRole: {
            type: 'String',
            description:
              'Role the steps run as; required so a step never runs with the permissions of the caller.',
            allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
          },
          ClusterName: { type: 'String', description: 'ECS cluster name', allowedPattern: word },
          ServiceName: { type: 'String', description: 'ECS service name', allowedPattern: word },
        },
        mainSteps: [
          {
            name: 'ForceNewDeployment',
            action: 'aws:executeAwsApi',
            onFailure: 'Abort',
            inputs: {
              Service: 'ecs',
              Api: 'UpdateService',
              cluster: '{{ ClusterName }}',
              service: '{{ ServiceName }}',
              forceNewDeployment: true,
            },
          },
          {
            name: 'WaitForRollout',
            action: 'aws:waitForAwsResourceProperty',
            timeoutSeconds: 900,
            onFailure: 'Abort',
            inputs: {
              Service: 'ecs',
              Api: 'DescribeServices',
              cluster: '{{ ClusterName }}',
              services: ['{{ ServiceName }}'],
              PropertySelector: '$.services[0].deployments[0].rolloutState',
              DesiredValues: ['COMPLETED'],
            },
            isEnd: true,
          },
        ],
      },
    });
  }
}
