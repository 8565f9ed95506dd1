/**
 * The Metaflow client's `config.json` for this stack: the `metaflowConfig` stack output and the
 * SecureString in Parameter Store are both this one object. Keys are spelled exactly as Metaflow's
 * `metaflow_config.py` reads them (`from_conf("X")` reads `METAFLOW_X`); nothing else goes in.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MetaflowClientConfig } from "./config/metaflow";

/** Every key the platform may publish, in the order `config.json` lists them. */
export const METAFLOW_CONFIG_KEYS = [
    "METAFLOW_DEFAULT_DATASTORE",
    "METAFLOW_DATASTORE_SYSROOT_S3",
    "METAFLOW_DATATOOLS_S3ROOT",
    "METAFLOW_DEFAULT_METADATA",
    "METAFLOW_SERVICE_URL",
    "METAFLOW_SERVICE_INTERNAL_URL",
    "METAFLOW_SERVICE_AUTH_KEY",
    "METAFLOW_BATCH_JOB_QUEUE",
    "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
    "METAFLOW_BATCH_CONTAINER_IMAGE",
    "METAFLOW_BATCH_CONTAINER_REGISTRY",
    "METAFLOW_SFN_IAM_ROLE",
    "METAFLOW_SFN_DYNAMO_DB_TABLE",
    "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE",
    "METAFLOW_SFN_STATE_MACHINE_PREFIX",
    "METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN",
    "METAFLOW_KUBERNETES_NAMESPACE",
    "METAFLOW_KUBERNETES_SERVICE_ACCOUNT",
    "METAFLOW_UI_URL",
] as const;

export type MetaflowConfigKey = (typeof METAFLOW_CONFIG_KEYS)[number];

/** Keys present only when the stack has the thing they name. */
export type OptionalMetaflowConfigKey =
    | "METAFLOW_SERVICE_AUTH_KEY"
    | "METAFLOW_UI_URL"
    | "METAFLOW_BATCH_CONTAINER_IMAGE"
    | "METAFLOW_BATCH_CONTAINER_REGISTRY"
    | "METAFLOW_KUBERNETES_NAMESPACE"
    | "METAFLOW_KUBERNETES_SERVICE_ACCOUNT";

/** The resolved config, as `~/.metaflowconfig/config.json` holds it. */
export type MetaflowConfig = { readonly [K in Exclude<MetaflowConfigKey, OptionalMetaflowConfigKey>]: string } & {
    readonly [K in OptionalMetaflowConfigKey]?: string;
};

/** The config while the program runs: each value may still be an output of the resource it names. */
export type MetaflowConfigInputs = { readonly [K in keyof MetaflowConfig]: pulumi.Input<NonNullable<MetaflowConfig[K]>> };

/** What the config names, read from the platform's components. */
export interface MetaflowConfigSources {
    readonly artifactStore: { readonly datastoreRoot: pulumi.Input<string>; readonly dataToolsRoot: pulumi.Input<string> };
    readonly compute: { readonly cpuQueueName: pulumi.Input<string>; readonly jobRoleArn: pulumi.Input<string> };
    readonly metadata: {
        readonly serviceUrl: pulumi.Input<string>;
        readonly internalServiceUrl: pulumi.Input<string>;
        readonly apiKey?: pulumi.Input<string>;
        readonly uiUrl?: pulumi.Input<string>;
    };
    readonly orchestrator: {
        readonly stepFunctionsRoleArn: pulumi.Input<string>;
        readonly eventBridgeRoleArn: pulumi.Input<string>;
        readonly dynamoDbTableName: pulumi.Input<string>;
        readonly stateMachinePrefix: pulumi.Input<string>;
        /** The log group as Step Functions takes it, `<arn>:*`. */
        readonly executionLogDestinationArn: pulumi.Input<string>;
    };
    readonly client: MetaflowClientConfig;
    /** The EKS option's namespace and service account (`@kubernetes`), when the stack has a cluster. */
    readonly kubernetes?: { readonly namespace: pulumi.Input<string>; readonly serviceAccount: pulumi.Input<string> };
}

/**
 * The stack's Metaflow config. Optional keys are left out rather than set empty: Metaflow treats a
 * present key as configured. The auth key is a secret of its own, so the rest of the config stays
 * readable in previews and plan reports.
 */
export function metaflowConfig(s: MetaflowConfigSources): MetaflowConfigInputs {
    return {
        METAFLOW_DEFAULT_DATASTORE: "s3",
        METAFLOW_DATASTORE_SYSROOT_S3: s.artifactStore.datastoreRoot,
        METAFLOW_DATATOOLS_S3ROOT: s.artifactStore.dataToolsRoot,
        METAFLOW_DEFAULT_METADATA: "service",
        METAFLOW_SERVICE_URL: s.metadata.serviceUrl,
        // What Batch jobs use: inside the VPC they reach the service without the API gateway.
        METAFLOW_SERVICE_INTERNAL_URL: s.metadata.internalServiceUrl,
        ...(s.metadata.apiKey !== undefined ? { METAFLOW_SERVICE_AUTH_KEY: pulumi.secret(s.metadata.apiKey) } : {}),
        // The spot CPU queue; steps pick the GPU or on-demand queue with @batch(queue=...).
        METAFLOW_BATCH_JOB_QUEUE: s.compute.cpuQueueName,
        METAFLOW_ECS_S3_ACCESS_IAM_ROLE: s.compute.jobRoleArn,
        ...(s.client.batchContainerImage !== undefined ? { METAFLOW_BATCH_CONTAINER_IMAGE: s.client.batchContainerImage } : {}),
        ...(s.client.batchContainerRegistry !== undefined ? { METAFLOW_BATCH_CONTAINER_REGISTRY: s.client.batchContainerRegistry } : {}),
        METAFLOW_SFN_IAM_ROLE: s.orchestrator.stepFunctionsRoleArn,
        METAFLOW_SFN_DYNAMO_DB_TABLE: s.orchestrator.dynamoDbTableName,
        METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE: s.orchestrator.eventBridgeRoleArn,
        METAFLOW_SFN_STATE_MACHINE_PREFIX: s.orchestrator.stateMachinePrefix,
        METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN: s.orchestrator.executionLogDestinationArn,
        ...(s.kubernetes !== undefined ? { METAFLOW_KUBERNETES_NAMESPACE: s.kubernetes.namespace, METAFLOW_KUBERNETES_SERVICE_ACCOUNT: s.kubernetes.serviceAccount } : {}),
        ...(s.metadata.uiUrl !== undefined ? { METAFLOW_UI_URL: s.metadata.uiUrl } : {}),
    };
}
