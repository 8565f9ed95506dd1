/**
 * ARNs and ARN patterns the orchestrator's policies and event rules name. Built from the region and
 * account the stack deploys to (never hard-coded); every supported region is in the `aws` partition.
 */
import * as pulumi from "@pulumi/pulumi";
import { DATASTORE_PREFIX } from "../artifact-store/artifact-store";

/** Where the orchestrator lives. */
export interface AccountScope {
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
}

/**
 * The rule Step Functions creates (once per account and region) to learn when a `.sync` Batch job
 * ends; the execution role must be allowed to manage it.
 */
export const BATCH_SYNC_RULE_NAME = "StepFunctionsGetEventsForBatchJobsRule";

/**
 * Metaflow registers one job definition per distinct container setup, named `metaflow_<sha224>`.
 * The names are account-wide (a content hash, not an environment), so the job queues, not the job
 * definitions, are what confine a role to this environment.
 */
export const METAFLOW_JOB_DEFINITION_PREFIX = "metaflow_";

/** `arn:aws:states:<region>:<account>:stateMachine:<prefix>`: every state machine of this environment starts with it. */
export function stateMachineArnPrefix(scope: AccountScope, prefix: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${prefix}`;
}

/**
 * Executions of this environment's state machines, child executions of a Distributed Map included
 * (`execution:<state machine>/<map run label>:<id>`; IAM's `*` spans the `/` and `:`).
 */
export function executionArnPattern(scope: AccountScope, prefix: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:states:${scope.region}:${scope.accountId}:execution:${prefix}*:*`;
}

/**
 * Where `step-functions create --use-distributed-map` state machines write their Map results:
 * Metaflow's METAFLOW_SFN_S3_DISTRIBUTED_MAP_OUTPUT_PATH, which defaults to
 * `<METAFLOW_DATASTORE_SYSROOT_S3>/sfn_distributed_map_output`.
 */
export const DISTRIBUTED_MAP_OUTPUT_DIR = "sfn_distributed_map_output";

/** The objects under the Distributed Map output path in the artifact bucket. */
export function distributedMapOutputObjects(bucketArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${bucketArn}/${DATASTORE_PREFIX}/${DISTRIBUTED_MAP_OUTPUT_DIR}/*`;
}

/** Every CloudWatch Logs resource of the account in the region (log groups, resource policies). */
export function logsArnPattern(scope: AccountScope): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:logs:${scope.region}:${scope.accountId}:*`;
}

/** Metaflow's job definitions, any revision. */
export function jobDefinitionArnPattern(scope: AccountScope): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:batch:${scope.region}:${scope.accountId}:job-definition/${METAFLOW_JOB_DEFINITION_PREFIX}*`;
}

/** Batch jobs of the account: job ids are random, so no narrower pattern exists. */
export function batchJobArnPattern(scope: AccountScope): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:batch:${scope.region}:${scope.accountId}:job/*`;
}

export function batchSyncRuleArn(scope: AccountScope): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:events:${scope.region}:${scope.accountId}:rule/${BATCH_SYNC_RULE_NAME}`;
}

