/**
 * The Parameter Store layout of one environment, `/ml-platform/<env>/...` (docs/parameter-store.md).
 * Paths are fixed by the environment alone: flows and notebooks type them.
 */
import { ssmRoot } from "../shared";

/** The Metaflow client config (the `metaflowConfig` stack output) as a SecureString JSON document. */
export function metaflowConfigParameterName(environment: string): string {
    return `${ssmRoot(environment)}/metaflow/config`;
}

/** The name of one Batch job queue, e.g. `/ml-platform/prod/batch/queues/gpu`. */
export function jobQueueParameterName(environment: string, queue: string): string {
    return `${ssmRoot(environment)}/batch/queues/${queue}`;
}

/** `tcp://host:port` of the A02 Dask scheduler. */
export function daskSchedulerParameterName(environment: string): string {
    return `${ssmRoot(environment)}/dask/scheduler-address`;
}

/** The A01 data lake's raw or curated bucket name. */
export function dataLakeBucketParameterName(environment: string, zone: "raw" | "curated"): string {
    return `${ssmRoot(environment)}/datalake/${zone}-bucket`;
}

/** The A01 data lake's Glue catalog database name. */
export function dataLakeGlueDatabaseParameterName(environment: string): string {
    return `${ssmRoot(environment)}/datalake/glue-database`;
}

/** The hyperparameter namespace: `/ml-platform/<env>/pipelines/<team>/<pipeline>/<key>`. */
export function pipelinesPath(environment: string): string {
    return `${ssmRoot(environment)}/pipelines`;
}

/** A parameter's ARN; names are absolute paths, so the ARN is `...:parameter/<path>`. */
export function parameterArn(region: string, accountId: string, name: string): string {
    return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}

/**
 * The ARN pattern of the hyperparameters under `path` inside the namespace (`<team>` or
 * `<team>/<pipeline>`), or of the whole namespace without one: what a team's workspace role may
 * write and a job role may read.
 */
export function pipelineParametersArnPattern(region: string, accountId: string, environment: string, path?: string): string {
    if (path !== undefined && !path.split("/").every((segment) => /^[A-Za-z0-9_.-]+$/.test(segment) && segment !== "." && segment !== "..")) {
        throw new Error(`'${path}' must be one or more SSM path segments (letters, digits, '_', '.', '-') separated by '/'`);
    }
    return parameterArn(region, accountId, `${pipelinesPath(environment)}/${path === undefined ? "" : `${path}/`}*`);
}
