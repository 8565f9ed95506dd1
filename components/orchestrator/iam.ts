/**
 * The orchestrator's permission documents: the Step Functions execution role and the EventBridge role
 * that starts executions. Every statement names this environment's resources; the only "*" resources
 * are for actions that AWS cannot scope, each said where it appears.
 */
import * as pulumi from "@pulumi/pulumi";
import { bucketAndObjects, keyViaService, type StatementInput } from "../shared";
import { batchJobArnPattern, batchSyncRuleArn, jobDefinitionArnPattern, stateMachineArnPrefix, type AccountScope } from "./arns";

/** What the Step Functions execution role works on. */
export interface StepFunctionsGrants {
    /** The platform's Batch job queues: the only queues executions may submit to. */
    readonly jobQueueArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The role Batch jobs run as (METAFLOW_ECS_S3_ACCESS_IAM_ROLE). */
    readonly jobRoleArn: pulumi.Input<string>;
    readonly tableArn: pulumi.Input<string>;
    readonly tableKeyArn: pulumi.Input<string>;
    readonly artifactBucketArn: pulumi.Input<string>;
    readonly artifactKmsKeyArn: pulumi.Input<string>;
}

/** What Metaflow's state machines do: run Batch jobs (`.sync`), keep foreach state in DynamoDB, log executions. */
export function stepFunctionsStatements(grants: StepFunctionsGrants, scope: AccountScope): StatementInput[] {
    return [
        {
            Sid: "SubmitToPlatformQueues",
            Effect: "Allow",
            Action: "batch:SubmitJob",
            // SubmitJob authorizes against both the queue and the job definition.
            Resource: pulumi.all([grants.jobQueueArns, jobDefinitionArnPattern(scope)]).apply(([queues, definitions]) => [...queues, definitions]),
        },
        {
            Sid: "ManageJobs",
            Effect: "Allow",
            // Tagging on submit (METAFLOW_BATCH_EMIT_TAGS) authorizes batch:TagResource on the new job.
            Action: ["batch:TerminateJob", "batch:TagResource"],
            Resource: batchJobArnPattern(scope),
        },
        {
            Sid: "ReadJobs",
            Effect: "Allow",
            // batch:DescribeJobs and batch:ListJobs have no resource-level permissions: "*" is the only resource IAM accepts.
            Action: ["batch:DescribeJobs", "batch:ListJobs"],
            Resource: "*",
        },
        {
            Sid: "BatchSyncEventRule",
            Effect: "Allow",
            Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resource: batchSyncRuleArn(scope),
        },
        {
            Sid: "PassJobRoleToBatch",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: grants.jobRoleArn,
            Condition: { StringEquals: { "iam:PassedToService": "batch.amazonaws.com" } },
        },
        {
            Sid: "ForeachStateTable",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            Resource: grants.tableArn,
        },
        keyViaService("ForeachStateTableKey", grants.tableKeyArn, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "dynamodb", scope.region),
        {
            Sid: "ArtifactStoreRead",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetObject"],
            Resource: bucketAndObjects(grants.artifactBucketArn),
        },
        keyViaService("ArtifactStoreKey", grants.artifactKmsKeyArn, ["kms:Decrypt"], "s3", scope.region),
        {
            Sid: "ExecutionLogDelivery",
            Effect: "Allow",
            // CloudWatch Logs vended-log delivery: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery,
            // DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy and DescribeResourcePolicies have no
            // resource-level permissions, so "*" is the only resource IAM accepts.
            Action: [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
            ],
            Resource: "*",
        },
        {
            Sid: "FindExecutionLogGroup",
            Effect: "Allow",
            Action: "logs:DescribeLogGroups",
            Resource: pulumi.interpolate`arn:aws:logs:${scope.region}:${scope.accountId}:log-group:*`,
        },
    ];
}

/** `@schedule` and event triggers: EventBridge may start this environment's state machines and nothing else. */
export function eventBridgeStatements(stateMachinePrefix: string, scope: AccountScope): StatementInput[] {
    return [
        {
            Sid: "StartPlatformStateMachines",
            Effect: "Allow",
            Action: "states:StartExecution",
            Resource: pulumi.interpolate`${stateMachineArnPrefix(scope, stateMachinePrefix)}*`,
        },
    ];
}

