/**
 * The environment's CloudWatch dashboard body, as plain data: pipelines, Batch, the metadata
 * service and its database, model drift and spend. Every metric names this environment's resources
 * or namespaces.
 */
import { databaseDimension, type DatabaseRef } from "./database";
import { BACKLOG_QUERY, DRIFT_METRIC, DRIFT_NAMESPACE, eventNamespace } from "./metrics";

export interface MetadataServiceRef<T = string> {
    readonly loadBalancerArnSuffix: T;
    readonly targetGroupArnSuffix: T;
    readonly ecsClusterName: T;
    readonly ecsServiceName: T;
}

export interface DashboardSpec {
    readonly environment: string;
    readonly region: string;
    readonly stateMachinePrefix: string;
    readonly eventLogGroupName: string;
    readonly metadata?: MetadataServiceRef;
    readonly database?: DatabaseRef;
    readonly driftModels: readonly { readonly name: string; readonly threshold: number }[];
    readonly monthlyBudgetUsd: number;
    readonly alarmArns: readonly string[];
}

type Metric = (string | Record<string, unknown>)[];

interface Widget {
    readonly type: "metric" | "text" | "log" | "alarm";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: Record<string, unknown>;
}

/** Lays widgets out left to right, two to a row unless a widget takes the full width. */
class Grid {
    readonly widgets: Widget[] = [];
    private x = 0;
    private y = 0;
    private rowHeight = 0;

    add(type: Widget["type"], properties: Record<string, unknown>, width = 12, height = 6): void {
        if (this.x + width > 24) {
            this.x = 0;
            this.y += this.rowHeight;
            this.rowHeight = 0;
        }
        this.widgets.push({ type, x: this.x, y: this.y, width, height, properties });
        this.x += width;
        this.rowHeight = Math.max(this.rowHeight, height);
    }
}

/** `[namespace, metric, dim1, value1, ...]` with widget-level rendering options. */
function metric(namespace: string, name: string, dimensions: Record<string, string>, options: Record<string, unknown> = {}): Metric {
    return [namespace, name, ...Object.entries(dimensions).flat(), options];
}

function search(expression: string, label: string, id: string): Metric {
    return [{ expression, label, id }];
}

export function dashboardBody(spec: DashboardSpec): { widgets: Widget[] } {
    const grid = new Grid();
    const graph = (title: string, metrics: Metric[], extra: Record<string, unknown> = {}) =>
        grid.add("metric", { title, region: spec.region, view: "timeSeries", stacked: false, period: 300, metrics, ...extra });
    const events = eventNamespace(spec.environment);
    // A phrase search matches the prefix's tokens inside each state machine ARN.
    const states = (name: string, stat: string) => `SEARCH('{AWS/States,StateMachineArn} MetricName="${name}" "${spec.stateMachinePrefix}"', '${stat}', 300)`;
    const perQueue = (name: string) => `SEARCH('{${events},JobQueue} MetricName="${name}"', 'Sum', 300)`;

    grid.add(
        "text",
        { markdown: `# ML platform: ${spec.environment}\nPipelines (state machines \`${spec.stateMachinePrefix}*\`), Batch jobs, the metadata service, model drift and spend. Metric sources: docs/monitoring.md.` },
        24,
        2,
    );
    graph("Pipeline executions", [
        search(`SUM(${states("ExecutionsStarted", "Sum")})`, "started", "started"),
        search(`SUM(${states("ExecutionsSucceeded", "Sum")})`, "succeeded", "succeeded"),
        search(`SUM(${states("ExecutionsFailed", "Sum")})`, "failed", "failed"),
        search(`SUM(${states("ExecutionsTimedOut", "Sum")})`, "timed out", "timedOut"),
        search(`SUM(${states("ExecutionsAborted", "Sum")})`, "aborted", "aborted"),
    ]);
    graph("Pipeline duration (ms, per state machine)", [search(states("ExecutionTime", "Average"), "", "duration")]);
    graph("Batch job outcomes (per queue)", [search(perQueue("BatchJobsSucceeded"), "succeeded", "succeeded"), search(perQueue("BatchJobsFailed"), "failed", "failed")]);
    graph("Batch queue flow (per queue)", [search(perQueue("BatchJobsQueued"), "queued", "queued"), search(perQueue("BatchJobsStarted"), "started", "started")]);
    grid.add("log", { title: "Jobs waiting per queue (latest state in the time range)", region: spec.region, query: `SOURCE '${spec.eventLogGroupName}' | ${BACKLOG_QUERY}`, view: "table" }, 24, 4);

    if (spec.metadata) {
        const lb = { TargetGroup: spec.metadata.targetGroupArnSuffix, LoadBalancer: spec.metadata.loadBalancerArnSuffix };
        const service = { ClusterName: spec.metadata.ecsClusterName, ServiceName: spec.metadata.ecsServiceName };
        graph("Metadata service targets and errors", [
            metric("AWS/ApplicationELB", "HealthyHostCount", lb, { stat: "Minimum", label: "healthy tasks" }),
            metric("AWS/ApplicationELB", "UnHealthyHostCount", lb, { stat: "Maximum", label: "unhealthy tasks" }),
            metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, { stat: "Sum", label: "5xx responses", yAxis: "right" }),
        ]);
        graph("Metadata service CPU and memory (%)", [
            metric("AWS/ECS", "CPUUtilization", service, { stat: "Average", label: "CPU" }),
            metric("AWS/ECS", "MemoryUtilization", service, { stat: "Average", label: "memory" }),
        ]);
    }
    if (spec.database) {
        const db = databaseDimension(spec.database);
        graph("Metadata database CPU (%) and connections", [
            metric("AWS/RDS", "CPUUtilization", db, { stat: "Average", label: "CPU" }),
            metric("AWS/RDS", "DatabaseConnections", db, { stat: "Maximum", label: "connections", yAxis: "right" }),
        ]);
        graph(
            spec.database.kind === "instance" ? "Metadata database free storage (bytes)" : "Metadata database capacity",
            spec.database.kind === "instance"
                ? [metric("AWS/RDS", "FreeStorageSpace", db, { stat: "Minimum", label: "free storage" })]
                : [metric("AWS/RDS", "ServerlessDatabaseCapacity", db, { stat: "Average", label: "ACUs" }), metric("AWS/RDS", "ACUUtilization", db, { stat: "Average", label: "% of max ACUs", yAxis: "right" })],
        );
    }

    graph(
        "Model drift (DriftScore, per model)",
        [search(`SEARCH('{${DRIFT_NAMESPACE},Environment,Model} MetricName="${DRIFT_METRIC}" Environment="${spec.environment}"', 'Maximum', 3600)`, "", "drift")],
        { period: 3600, yAxis: { left: { min: 0, max: 1 } }, annotations: { horizontal: spec.driftModels.map((m) => ({ label: `${m.name} threshold`, value: m.threshold })) } },
    );
    // Billing metrics exist only in us-east-1 and only for the whole account.
    graph("Estimated charges this month (account, USD)", [metric("AWS/Billing", "EstimatedCharges", { Currency: "USD" }, { stat: "Maximum", label: "estimated charges" })], {
        region: "us-east-1",
        period: 21600,
        annotations: { horizontal: [{ label: `${spec.environment} budget`, value: spec.monthlyBudgetUsd }] },
    });
    if (spec.alarmArns.length > 0) grid.add("alarm", { title: "Alarms", alarms: [...spec.alarmArns] }, 24, 3);
    return { widgets: grid.widgets };
}
