/**
 * The platform's own CloudWatch metrics (docs/monitoring.md). AWS Batch publishes no job metrics and
 * alarms cannot use SEARCH, so pipeline and job outcomes are counted from their EventBridge state
 * changes: the events land in one log group per environment, where metric filters turn them into
 * metrics of the environment's namespace. Model drift is published by the flows themselves.
 */

/** Where flows publish drift: `DriftScore` with the dimensions Environment and Model. */
export const DRIFT_NAMESPACE = "MLPlatform/ModelDrift";
export const DRIFT_METRIC = "DriftScore";

/** The namespace of one environment's event-derived metrics, e.g. `MLPlatform/dev`. */
export function eventNamespace(environment: string): string {
    return `MLPlatform/${environment}`;
}

/** EventBridge only delivers to log groups whose names start with `/aws/events/`. */
export function eventLogGroupName(environment: string): string {
    return `/aws/events/mlp-${environment}-platform`;
}

export interface EventMetric {
    /** Resource role and metric name. */
    readonly name: string;
    readonly description: string;
    /** CloudWatch Logs JSON filter pattern over the EventBridge event. */
    readonly pattern: string;
    /** Per-queue metrics carry the queue ARN as the JobQueue dimension. */
    readonly perQueue: boolean;
}

const states = (statuses: readonly string[]) => `{ ($.source = "aws.states") && (${statuses.map((s) => `($.detail.status = "${s}")`).join(" || ")}) }`;
const jobs = (status: string) => `{ ($.source = "aws.batch") && ($.detail.status = "${status}") }`;

/** Step Functions statuses that end an execution without success. */
export const FAILED_EXECUTION_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"] as const;

export const EVENT_METRICS: readonly EventMetric[] = [
    { name: "PipelineExecutionsStarted", description: "executions of this environment's state machines that started", pattern: states(["RUNNING"]), perQueue: false },
    { name: "PipelineExecutionsSucceeded", description: "executions that succeeded", pattern: states(["SUCCEEDED"]), perQueue: false },
    { name: "PipelineExecutionsFailed", description: "executions that failed, timed out or were aborted", pattern: states(FAILED_EXECUTION_STATUSES), perQueue: false },
    { name: "BatchJobsQueued", description: "jobs that became RUNNABLE (waiting for capacity)", pattern: jobs("RUNNABLE"), perQueue: true },
    { name: "BatchJobsStarted", description: "jobs that started RUNNING", pattern: jobs("RUNNING"), perQueue: true },
    { name: "BatchJobsSucceeded", description: "jobs that succeeded", pattern: jobs("SUCCEEDED"), perQueue: true },
    { name: "BatchJobsFailed", description: "jobs that failed", pattern: jobs("FAILED"), perQueue: true },
];

/**
 * Logs Insights query for the jobs waiting in each queue: the jobs whose latest state in the time
 * range is a waiting one. Batch has no queue-depth metric; this is its closest offline equivalent.
 */
export const BACKLOG_QUERY = [
    "fields detail.jobId as job, detail.jobQueue as queue, detail.status as status",
    'filter source = "aws.batch"',
    "stats latest(status) as state by job, queue",
    'filter state in ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING"]',
    "stats count(*) as waiting by queue",
].join(" | ");
