/**
 * The orchestrator's permission documents: the Step Functions execution role, the EventBridge role
 * that starts executions, and the foreach state grant of the Batch job role. Every statement names
 * this environment's resources; the only "*" resources are for actions that AWS cannot scope, each
 * said where it appears.
 */
import * as pulumi from "@pulumi/pulumi";
import { bucketAndObjects, keyViaService, type StatementInput } from "../shared";
import {
    batchJobArnPattern,
    batchSyncRuleArn,
    distributedMapOutputObjects,
    executionArnPattern,
    jobDefinitionArnPattern,
    logsArnPattern,
    stateMachineArnPrefix,
    type AccountScope,
} from "./arns";

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
    /** METAFLOW_SFN_STATE_MACHINE_PREFIX: the state machines a Distributed Map may start child executions of. */
    readonly stateMachinePrefix: string;
}

/**
 * Metaflow's foreach bookkeeping in the state table: the state machine reads a foreach's cardinality
 * (GetItem), and the Batch tasks themselves write it and the join's parent task ids (PutItem,
 * UpdateItem) and read them back at the join. Every role that does either gets these two statements.
 */
export function foreachStateStatements(tableArn: pulumi.Input<string>, tableKeyArn: pulumi.Input<string>, region: pulumi.Input<string>): StatementInput[] {
    return [
        {
            Sid: "ForeachStateTable",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            Resource: tableArn,
        },
        keyViaService("ForeachStateTableKey", tableKeyArn, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "dynamodb", region),
    ];
}

/**
 * What Metaflow's state machines do: run Batch jobs (`.sync`), keep foreach state in DynamoDB, run
 * Distributed Map foreaches, log executions.
 */
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
        ...foreachStateStatements(grants.tableArn, grants.tableKeyArn, scope.region),
        {
            Sid: "ArtifactStoreRead",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetObject"],
            Resource: bucketAndObjects(grants.artifactBucketArn),
        },
        keyViaService("ArtifactStoreKey", grants.artifactKmsKeyArn, ["kms:Decrypt"], "s3", scope.region),
        // `step-functions create --use-distributed-map`: the Map state runs each foreach item as a child
        // execution of the same state machine and writes the results through ResultWriter (multipart
        // for large results), which the next states read back with s3:GetObject (ArtifactStoreRead).
        {
            Sid: "DistributedMapResults",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: distributedMapOutputObjects(grants.artifactBucketArn),
        },
        keyViaService("DistributedMapResultsKey", grants.artifactKmsKeyArn, ["kms:GenerateDataKey"], "s3", scope.region),
        {
            Sid: "DistributedMapChildExecutions",
            Effect: "Allow",
            Action: "states:StartExecution",
            Resource: pulumi.interpolate`${stateMachineArnPrefix(scope, grants.stateMachinePrefix)}*`,
        },
        {
            Sid: "DistributedMapChildExecutionsControl",
            Effect: "Allow",
            Action: ["states:DescribeExecution", "states:StopExecution"],
            Resource: executionArnPattern(scope, grants.stateMachinePrefix),
        },
        {
            Sid: "ExecutionLogDelivery",
            Effect: "Allow",
            // CloudWatch Logs vended-log delivery: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery,
            // DeleteLogDelivery and ListLogDeliveries have no resource-level permissions, so "*" is the
            // only resource IAM accepts.
            Action: ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries"],
            Resource: "*",
        },
        {
            Sid: "ExecutionLogResourcePolicy",
            Effect: "Allow",
            // The first delivery to a log group may add it to the account's CloudWatch Logs resource
            // policy; AWS's vended-logs permissions scope these to the account and region.
            Action: ["logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
            Resource: logsArnPattern(scope),
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

