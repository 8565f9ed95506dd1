import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keepOptions, logsKeyPolicy, physicalName, policyJson, stateMachinePrefix, type DataProtectionArgs } from "../shared";
import { alarmSpecs, type AlarmThresholds, type DriftModel } from "./alarms";
import { dashboardBody, type MetadataServiceRef } from "./dashboard";
import type { DatabaseRef } from "./database";
import { EVENT_METRICS, eventLogGroupName, eventNamespace } from "./metrics";

const RULE_ROLES = ["pipeline-events", "batch-events"] as const;

/** `protect` and `retainOnDelete` keep the event log and its key. */
export interface MonitoringArgs extends DataProtectionArgs {
    /** The environment: names, namespaces and the budget's tag filter. */
    readonly environment: string;
    readonly region: string;
    /** Where every alarm and budget notification goes (the `Alerts` topic). */
    readonly alertTopicArn: pulumi.Input<string>;
    /** The platform's Batch job queues, whose job state changes are counted. */
    readonly jobQueueArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The metadata service's load balancer and ECS service. @default no service widgets or alarms */
    readonly metadata?: MetadataServiceRef<pulumi.Input<string>>;
    /** The metadata database. @default no database widgets or alarms */
    readonly database?: DatabaseRef<pulumi.Input<string>>;
    readonly thresholds: AlarmThresholds;
    /** Models whose DriftScore is watched, each with its threshold. @default none */
    readonly driftModels?: readonly DriftModel[];
    /** Monthly cost budget for resources tagged Environment=<environment>, in USD. */
    readonly monthlyBudgetUsd: number;
    /** Days the pipeline and job state-change events are kept. @default 30 */
    readonly eventLogRetentionDays?: number;
    /** Days a deleted KMS key waits before it is gone. @default 30 */
    readonly keyDeletionWindowDays?: number;
}

/**
 * Seeing and alerting for one environment: the pipeline and job event log with the metrics derived
 * from it, a CloudWatch dashboard, alarms to the alert topic, and a monthly AWS Budget.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly dashboardName: pulumi.Output<string>;
    public readonly dashboardUrl: pulumi.Output<string>;
    public readonly alarmArns: pulumi.Output<string[]>;
    public readonly eventLogGroupName: pulumi.Output<string>;
    public readonly budgetName: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:monitoring:Monitoring", name, {}, opts);
        if (!(args.monthlyBudgetUsd > 0)) throw new pulumi.ResourceError("monthlyBudgetUsd must be greater than 0", this);
        for (const m of args.driftModels ?? []) {
            if (!(m.threshold > 0 && m.threshold < 1)) throw new pulumi.ResourceError(`drift threshold of model '${m.name}' must be between 0 and 1`, this);
        }
        const child: pulumi.CustomResourceOptions = { parent: this };
        const keep = keepOptions(this, args);
        const env = args.environment;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const logGroupName = eventLogGroupName(env);

        // Pipeline and job state changes, kept for the dashboard's backlog query and the metric filters.
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Platform event log (${name})`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                policy: accountId.apply((account) => logsKeyPolicy({ partition: "aws", accountId: account, region: args.region }, logGroupName)),
            },
            keep,
        );
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-events`, { name: logGroupName, retentionInDays: args.eventLogRetentionDays ?? 30, kmsKeyId: key.arn }, keep);
        const prefixArn = pulumi.interpolate`arn:aws:states:${args.region}:${accountId}:stateMachine:${stateMachinePrefix(env)}`;
        const rules = [
            new aws.cloudwatch.EventRule(
                `${name}-${RULE_ROLES[0]}`,
                {
                    description: `State changes of the ${env} pipelines (state machines ${stateMachinePrefix(env)}*)`,
                    eventPattern: prefixArn.apply((arn) =>
                        JSON.stringify({ source: ["aws.states"], "detail-type": ["Step Functions Execution Status Change"], detail: { stateMachineArn: [{ prefix: arn }] } }),
                    ),
                },
                child,
            ),
            new aws.cloudwatch.EventRule(
                `${name}-${RULE_ROLES[1]}`,
                {
                    description: `State changes of jobs on the ${env} job queues`,
                    eventPattern: pulumi
                        .output(args.jobQueueArns)
                        .apply((queues) => JSON.stringify({ source: ["aws.batch"], "detail-type": ["Batch Job State Change"], detail: { jobQueue: queues } })),
                },
                child,
            ),
        ];
        const policy = new aws.cloudwatch.LogResourcePolicy(
            `${name}-events-delivery`,
            {
                policyName: physicalName(env, "platform-events"),
                policyDocument: policyJson([
                    {
                        Sid: "EventBridgeDeliversPlatformEvents",
                        Effect: "Allow",
                        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: pulumi.interpolate`${logGroup.arn}:*`,
                        Condition: { ArnEquals: { "aws:SourceArn": rules.map((r) => r.arn) } },
                    },
                ]),
            },
            child,
        );
        // EventBridge drops events it may not write, so the targets wait for the log group's policy.
        rules.forEach((rule, i) => {
            new aws.cloudwatch.EventTarget(`${name}-${RULE_ROLES[i]}-log`, { rule: rule.name, arn: logGroup.arn }, { parent: this, dependsOn: [policy] });
        });
        for (const m of EVENT_METRICS) {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${m.name}`,
                {
                    name: m.name,
                    logGroupName: logGroup.name,
                    pattern: m.pattern,
                    metricTransformation: {
                        name: m.name,
                        namespace: eventNamespace(env),
                        value: "1",
                        // CloudWatch takes a default value only for metrics without dimensions.
                        ...(m.perQueue ? { dimensions: { JobQueue: "$.detail.jobQueue" } } : { defaultValue: "0" }),
                        unit: "Count",
                    },
                },
                child,
            );
        }

        const alarms = alarmSpecs({ environment: env, metadata: args.metadata, database: args.database, thresholds: args.thresholds, driftModels: args.driftModels ?? [] }).map(
            (spec) =>
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${spec.role}`,
                    {
                        name: physicalName(env, spec.role),
                        alarmDescription: spec.description,
                        namespace: spec.namespace,
                        metricName: spec.metricName,
                        dimensions: spec.dimensions,
                        statistic: spec.statistic,
                        period: spec.period,
                        evaluationPeriods: spec.evaluationPeriods,
                        threshold: spec.threshold,
                        comparisonOperator: spec.comparisonOperator,
                        treatMissingData: spec.treatMissingData,
                        alarmActions: [args.alertTopicArn],
                        okActions: spec.notifyOnRecovery ? [args.alertTopicArn] : [],
                    },
                    child,
                ),
        );
        this.alarmArns = pulumi.all(alarms.map((a) => a.arn));

        const dashboardName = physicalName(env, "platform");
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName,
                dashboardBody: pulumi
                    .all([this.alarmArns, pulumi.output(args.metadata), pulumi.output(args.database)])
                    .apply(([alarmArns, metadata, database]) =>
                        JSON.stringify(
                            dashboardBody({
                                environment: env,
                                region: args.region,
                                stateMachinePrefix: stateMachinePrefix(env),
                                eventLogGroupName: logGroupName,
                                metadata: metadata as MetadataServiceRef | undefined,
                                database: database as DatabaseRef | undefined,
                                driftModels: args.driftModels ?? [],
                                monthlyBudgetUsd: args.monthlyBudgetUsd,
                                alarmArns,
                            }),
                        ),
                    ),
            },
            child,
        );

        const budget = new aws.budgets.Budget(
            `${name}-budget`,
            {
                name: physicalName(env, "monthly"),
                budgetType: "COST",
                limitAmount: args.monthlyBudgetUsd.toFixed(2),
                limitUnit: "USD",
                timeUnit: "MONTHLY",
                // Needs Environment activated as a cost allocation tag (docs/monitoring.md).
                costFilters: [{ name: "TagKeyValue", values: [`user:Environment$${env}`] }],
                notifications: [
                    { notificationType: "FORECASTED", comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [args.alertTopicArn] },
                    { notificationType: "ACTUAL", comparisonOperator: "GREATER_THAN", threshold: 80, thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [args.alertTopicArn] },
                    { notificationType: "ACTUAL", comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [args.alertTopicArn] },
                ],
            },
            child,
        );

        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${dashboard.dashboardName}`;
        this.eventLogGroupName = logGroup.name;
        this.budgetName = budget.name;
        this.registerOutputs({
            dashboardName: this.dashboardName,
            dashboardUrl: this.dashboardUrl,
            alarmArns: this.alarmArns,
            eventLogGroupName: this.eventLogGroupName,
            budgetName: this.budgetName,
        });
    }
}
