/**
 * The platform's alarms as plain specs: pipeline failures, metadata service health and errors,
 * database load, storage and connections, and model drift per model. Each goes to the alert topic.
 */
import type * as pulumi from "@pulumi/pulumi";
import { databaseDimension, type DatabaseRef } from "./database";
import type { MetadataServiceRef } from "./dashboard";
import { DRIFT_METRIC, DRIFT_NAMESPACE, eventNamespace } from "./metrics";

export interface AlarmThresholds {
    /** Database CPU utilisation (%) averaged over 15 minutes. */
    readonly databaseCpuPercent: number;
    /** Open database connections. */
    readonly databaseConnections: number;
    /** Free storage (GiB) of an RDS instance. */
    readonly databaseFreeStorageGiB: number;
    /** Metadata service 5xx responses in 5 minutes. */
    readonly metadataServer5xxErrors: number;
}

export interface DriftModel {
    readonly name: string;
    /** DriftScore above which the alarm fires, in (0, 1). */
    readonly threshold: number;
}

export interface AlarmSpec {
    /** Resource role: the alarm is `${name}-<role>`. */
    readonly role: string;
    readonly description: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions?: Record<string, pulumi.Input<string>>;
    readonly statistic: "Sum" | "Average" | "Minimum" | "Maximum";
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly threshold: number;
    readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    /** What a period without data means: quiet (`notBreaching`) or down (`breaching`). */
    readonly treatMissingData: "notBreaching" | "breaching";
    /** Also notify when the alarm clears (for conditions that persist, not for events). */
    readonly notifyOnRecovery: boolean;
}

export interface AlarmInputs {
    readonly environment: string;
    readonly metadata?: MetadataServiceRef<pulumi.Input<string>>;
    readonly database?: DatabaseRef<pulumi.Input<string>>;
    readonly thresholds: AlarmThresholds;
    readonly driftModels: readonly DriftModel[];
}

const GIB = 1024 ** 3;

export function alarmSpecs(a: AlarmInputs): AlarmSpec[] {
    const specs: AlarmSpec[] = [
        {
            role: "pipeline-failures",
            description: `A pipeline execution in ${a.environment} failed, timed out or was aborted.`,
            namespace: eventNamespace(a.environment),
            metricName: "PipelineExecutionsFailed",
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            notifyOnRecovery: false,
        },
    ];
    if (a.metadata) {
        const lb = { TargetGroup: a.metadata.targetGroupArnSuffix, LoadBalancer: a.metadata.loadBalancerArnSuffix };
        specs.push(
            {
                role: "metadata-unhealthy",
                description: `The ${a.environment} metadata service has no healthy task behind its load balancer.`,
                namespace: "AWS/ApplicationELB",
                metricName: "HealthyHostCount",
                dimensions: lb,
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 3,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                // The load balancer reports healthy hosts every minute; silence means it is gone too.
                treatMissingData: "breaching",
                notifyOnRecovery: true,
            },
            {
                role: "metadata-errors",
                description: `The ${a.environment} metadata service answered with ${a.thresholds.metadataServer5xxErrors}+ server errors in 5 minutes.`,
                namespace: "AWS/ApplicationELB",
                metricName: "HTTPCode_Target_5XX_Count",
                dimensions: lb,
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: a.thresholds.metadataServer5xxErrors - 1,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                notifyOnRecovery: true,
            },
        );
    }
    if (a.database) {
        const db = databaseDimension(a.database as DatabaseRef) as Record<string, pulumi.Input<string>>;
        const rds = { namespace: "AWS/RDS", dimensions: db, treatMissingData: "notBreaching" as const, notifyOnRecovery: true };
        specs.push(
            {
                ...rds,
                role: "database-cpu",
                description: `The ${a.environment} metadata database has averaged over ${a.thresholds.databaseCpuPercent}% CPU for 15 minutes.`,
                metricName: "CPUUtilization",
                statistic: "Average",
                period: 300,
                evaluationPeriods: 3,
                threshold: a.thresholds.databaseCpuPercent,
                comparisonOperator: "GreaterThanThreshold",
            },
            {
                ...rds,
                role: "database-connections",
                description: `The ${a.environment} metadata database has more than ${a.thresholds.databaseConnections} open connections.`,
                metricName: "DatabaseConnections",
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 2,
                threshold: a.thresholds.databaseConnections,
                comparisonOperator: "GreaterThanThreshold",
            },
        );
        if (a.database.kind === "instance") {
            specs.push({
                ...rds,
                role: "database-storage",
                description: `The ${a.environment} metadata database has less than ${a.thresholds.databaseFreeStorageGiB} GiB of free storage.`,
                metricName: "FreeStorageSpace",
                statistic: "Minimum",
                period: 300,
                evaluationPeriods: 1,
                threshold: a.thresholds.databaseFreeStorageGiB * GIB,
                comparisonOperator: "LessThanThreshold",
            });
        } else if (a.database.kind === "aurora-serverless") {
            // Aurora storage grows by itself; a serverless cluster runs out of capacity units instead.
            specs.push({
                ...rds,
                role: "database-capacity",
                description: `The ${a.environment} metadata database has used over 90% of its maximum capacity units for 15 minutes.`,
                metricName: "ACUUtilization",
                statistic: "Average",
                period: 300,
                evaluationPeriods: 3,
                threshold: 90,
                comparisonOperator: "GreaterThanThreshold",
            });
        }
    }
    for (const model of a.driftModels) {
        specs.push({
            role: `drift-${model.name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`,
            description: `Model ${model.name} in ${a.environment} drifted beyond ${model.threshold} (DriftScore, published by its flows).`,
            namespace: DRIFT_NAMESPACE,
            metricName: DRIFT_METRIC,
            dimensions: { Environment: a.environment, Model: model.name },
            statistic: "Maximum",
            // Flows publish once per run; a period without a score is not drift.
            period: 3600,
            evaluationPeriods: 1,
            threshold: model.threshold,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            notifyOnRecovery: false,
        });
    }
    return specs;
}
