/**
 * Failure events: which executions and jobs page the platform's alert topic, and what the message
 * says. Event patterns are plain data so that tests read exactly what EventBridge will match.
 */
import type * as aws from "@pulumi/aws";

/** Execution statuses that need a person: everything that ends without SUCCEEDED. */
export const FAILED_EXECUTION_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"] as const;

export interface EventPattern {
    readonly source: readonly string[];
    readonly "detail-type": readonly string[];
    readonly detail: Record<string, readonly unknown[]>;
}

/** This environment's state machine executions that ended badly (prefix match on the state machine ARN). */
export function failedExecutionsPattern(stateMachineArnPrefix: string): EventPattern {
    return {
        source: ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        detail: {
            status: [...FAILED_EXECUTION_STATUSES],
            stateMachineArn: [{ prefix: stateMachineArnPrefix }],
        },
    };
}

/** Failed Batch jobs on the platform's queues. A job retried by Batch emits FAILED only once it has no attempts left. */
export function failedBatchJobsPattern(jobQueueArns: readonly string[]): EventPattern {
    return {
        source: ["aws.batch"],
        "detail-type": ["Batch Job State Change"],
        detail: {
            status: ["FAILED"],
            jobQueue: [...jobQueueArns],
        },
    };
}

/** The e-mail a person reads: what failed, why, and where to look. An SNS message template is a JSON string. */
export function failedExecutionMessage(region: string): aws.types.input.cloudwatch.EventTargetInputTransformer {
    return {
        inputPaths: { name: "$.detail.name", status: "$.detail.status", stateMachine: "$.detail.stateMachineArn", execution: "$.detail.executionArn", error: "$.detail.error", cause: "$.detail.cause" },
        inputTemplate: JSON.stringify(
            `Metaflow production run <name> ended <status> (state machine <stateMachine>). Error: <error> <cause> ` +
                `Execution: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/<execution>`,
        ),
    };
}

export function failedBatchJobMessage(region: string): aws.types.input.cloudwatch.EventTargetInputTransformer {
    return {
        inputPaths: { jobName: "$.detail.jobName", jobId: "$.detail.jobId", queue: "$.detail.jobQueue", reason: "$.detail.statusReason" },
        inputTemplate: JSON.stringify(
            `AWS Batch job <jobName> failed on <queue>: <reason> ` + `Job: https://${region}.console.aws.amazon.com/batch/home?region=${region}#jobs/detail/<jobId>`,
        ),
    };
}
