import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, keepOptions, logsKeyPolicy, policyJson, stateMachinePrefix, type DataProtectionArgs } from "../shared";
import { stateMachineArnPrefix } from "./arns";
import { failedBatchJobMessage, failedBatchJobsPattern, failedExecutionMessage, failedExecutionsPattern, type EventPattern } from "./events";
import { eventBridgeStatements, foreachStateStatements, stepFunctionsStatements } from "./iam";

/** `protect` and `retainOnDelete` keep the table, its key and the log group; `protect` also turns on their AWS deletion protection. */
export interface OrchestratorArgs extends DataProtectionArgs {
    /** The environment: names the state machine prefix and the execution log group. */
    readonly environment: string;
    /** The region the stack deploys to. */
    readonly region: pulumi.Input<string>;
    /** The account the stack deploys to (from the provider's caller identity). */
    readonly accountId: pulumi.Input<string>;
    /** ARNs of the platform's Batch job queues: the only queues executions may submit to. */
    readonly jobQueueArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The role Batch jobs run as; the execution role may pass it to Batch only. */
    readonly jobRoleArn: pulumi.Input<string>;
    /** The same role's name: its tasks write and read the foreach state, so it is granted the table and its key. */
    readonly jobRoleName: pulumi.Input<string>;
    readonly artifactBucketArn: pulumi.Input<string>;
    readonly artifactKmsKeyArn: pulumi.Input<string>;
    /** SNS topic that failed executions (and, with `alertOnBatchJobFailures`, failed jobs) are sent to; its policy must let events.amazonaws.com publish. */
    readonly alertTopicArn: pulumi.Input<string>;
    /** Also alert on every failed Batch job on the platform's queues, interactive runs included. @default true */
    readonly alertOnBatchJobFailures?: boolean;
    /** Days execution logs are kept. @default 30 */
    readonly executionLogRetentionDays?: number;
    /** Days a deleted KMS key waits before it is gone. @default 30 */
    readonly keyDeletionWindowDays?: number;
}

interface Alert {
    readonly description: string;
    readonly pattern: pulumi.Output<EventPattern>;
    readonly message: (region: string) => aws.types.input.cloudwatch.EventTargetInputTransformer;
}

/**
 * What Metaflow's Step Functions integration needs besides the state machines, which Metaflow creates
 * itself at `step-functions create`: the execution role, the EventBridge role for `@schedule` and
 * triggers, the foreach state table, the execution log group and failure alerts.
 */
export class Orchestrator extends pulumi.ComponentResource {
    /** METAFLOW_SFN_IAM_ROLE. */
    public readonly stepFunctionsRoleArn: pulumi.Output<string>;
    /** METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE. */
    public readonly eventBridgeRoleArn: pulumi.Output<string>;
    /** METAFLOW_SFN_DYNAMO_DB_TABLE. */
    public readonly dynamoDbTableName: pulumi.Output<string>;
    public readonly dynamoDbTableArn: pulumi.Output<string>;
    /** The table's key (the execution logs' too): whoever reads or writes the table needs it through DynamoDB. */
    public readonly dynamoDbKmsKeyArn: pulumi.Output<string>;
    /** METAFLOW_SFN_STATE_MACHINE_PREFIX: every state machine of this environment starts with it. */
    public readonly stateMachinePrefix: pulumi.Output<string>;
    /** The log group's ARN (without the `:*` suffix Step Functions asks for; see `executionLogDestinationArn`). */
    public readonly executionLogGroupArn: pulumi.Output<string>;
    public readonly executionLogGroupName: pulumi.Output<string>;
    /** METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN: Step Functions takes a log group destination as `<arn>:*`. */
    public readonly executionLogDestinationArn: pulumi.Output<string>;

    constructor(name: string, args: OrchestratorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:orchestrator:Orchestrator", name, {}, opts);
        const keep = keepOptions(this, args);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const scope = { region: args.region, accountId: args.accountId };
        const prefix = stateMachinePrefix(args.environment);

        // The /aws/vendedlogs/ prefix keeps Step Functions' log delivery from growing the account's
        // CloudWatch Logs resource policy (a 5,120-character limit) with one entry per log group.
        const logGroupName = `/aws/vendedlogs/states/${prefix}`;
        // One key for the orchestrator's data: the table (through IAM grants) and the execution logs
        // (CloudWatch Logs may use it for this log group only).
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Metaflow Step Functions state and execution logs (${name})`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                policy: pulumi.all([args.region, args.accountId]).apply(([region, accountId]) => logsKeyPolicy({ partition: "aws", region, accountId }, logGroupName)),
            },
            keep,
        );
        // Auto-named, so a replacement gets a new name. Metaflow reads the name from its config, but
        // `step-functions create` embeds it in every state machine and its jobs' environment: a
        // replaced table breaks deployed flows until each is created again. Prod's `protect` (and
        // deletion protection) block replacement there.
        const table = new aws.dynamodb.Table(
            `${name}-state`,
            {
                billingMode: "PAY_PER_REQUEST",
                // Metaflow's foreach joins key their counters by the step's pathspec and expire them through `ttl`.
                hashKey: "pathspec",
                attributes: [{ name: "pathspec", type: "S" }],
                ttl: { attributeName: "ttl", enabled: true },
                serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: args.protect ?? false,
            },
            keep,
        );

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-executions`,
            {
                name: logGroupName,
                retentionInDays: args.executionLogRetentionDays ?? 30,
                kmsKeyId: key.arn,
                deletionProtectionEnabled: args.protect ?? false,
            },
            keep,
        );

        const stepFunctionsRole = new aws.iam.Role(`${name}-sfn`, { description: `Metaflow Step Functions executions (${prefix}*)`, assumeRolePolicy: assumeRolePolicy("states.amazonaws.com", args.accountId) }, child);
        new aws.iam.RolePolicy(
            `${name}-sfn-policy`,
            {
                role: stepFunctionsRole.id,
                policy: policyJson(
                    stepFunctionsStatements(
                        {
                            jobQueueArns: args.jobQueueArns,
                            jobRoleArn: args.jobRoleArn,
                            tableArn: table.arn,
                            tableKeyArn: key.arn,
                            artifactBucketArn: args.artifactBucketArn,
                            artifactKmsKeyArn: args.artifactKmsKeyArn,
                            stateMachinePrefix: prefix,
                        },
                        scope,
                    ),
                ),
            },
            child,
        );

        // Under Step Functions the Batch tasks, not the state machine, write each foreach's cardinality
        // and the join's parent task ids, as the job role.
        new aws.iam.RolePolicy(`${name}-job-foreach-state`, { role: args.jobRoleName, policy: policyJson(foreachStateStatements(table.arn, key.arn, args.region)) }, child);

        const eventBridgeRole = new aws.iam.Role(`${name}-events`, { description: `Starts Metaflow state machines ${prefix}* on schedules and events`, assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", args.accountId) }, child);
        new aws.iam.RolePolicy(`${name}-events-policy`, { role: eventBridgeRole.id, policy: policyJson(eventBridgeStatements(prefix, scope)) }, child);

        this.alertOn(`${name}-failed-executions`, args, child, {
            description: `Executions of state machines ${prefix}* that end FAILED, TIMED_OUT or ABORTED`,
            pattern: stateMachineArnPrefix(scope, prefix).apply(failedExecutionsPattern),
            message: failedExecutionMessage,
        });
        if (args.alertOnBatchJobFailures ?? true) {
            this.alertOn(`${name}-failed-jobs`, args, child, {
                description: "Batch jobs on the platform's queues that end FAILED",
                pattern: pulumi.output(args.jobQueueArns).apply(failedBatchJobsPattern),
                message: failedBatchJobMessage,
            });
        }

        this.stepFunctionsRoleArn = stepFunctionsRole.arn;
        this.eventBridgeRoleArn = eventBridgeRole.arn;
        this.dynamoDbTableName = table.name;
        this.dynamoDbTableArn = table.arn;
        this.dynamoDbKmsKeyArn = key.arn;
        this.stateMachinePrefix = pulumi.output(prefix);
        this.executionLogGroupName = logGroup.name;
        this.executionLogGroupArn = logGroup.arn;
        this.executionLogDestinationArn = pulumi.interpolate`${logGroup.arn}:*`;
        this.registerOutputs({
            stepFunctionsRoleArn: this.stepFunctionsRoleArn,
            eventBridgeRoleArn: this.eventBridgeRoleArn,
            dynamoDbTableName: this.dynamoDbTableName,
            dynamoDbTableArn: this.dynamoDbTableArn,
            dynamoDbKmsKeyArn: this.dynamoDbKmsKeyArn,
            stateMachinePrefix: this.stateMachinePrefix,
            executionLogGroupArn: this.executionLogGroupArn,
            executionLogGroupName: this.executionLogGroupName,
            executionLogDestinationArn: this.executionLogDestinationArn,
        });
    }

    /** An EventBridge rule whose matches reach the alert topic as a readable message. */
    private alertOn(name: string, args: OrchestratorArgs, opts: pulumi.CustomResourceOptions, alert: Alert): void {
        const rule = new aws.cloudwatch.EventRule(name, { description: alert.description, eventPattern: alert.pattern.apply((p) => JSON.stringify(p)) }, opts);
        new aws.cloudwatch.EventTarget(`${name}-alert`, { rule: rule.name, arn: args.alertTopicArn, inputTransformer: pulumi.output(args.region).apply(alert.message) }, opts);
    }
}
