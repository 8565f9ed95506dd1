/**
 * ARNs and ARN patterns the orchestrator's policies and event rules name. Built from the region and
 * account the stack deploys to (never hard-coded); every supported region is in the `aws` partition.
 */
import * as pulumi from "@pulumi/pulumi";

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

