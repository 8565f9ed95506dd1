/**
 * The stack's outputs: a published API that ML engineers and other teams' stacks read. `StackOutputs`
 * is the one list of names and types (the README table documents each; a test keeps them in step) and
 * `stackOutputs` fills them from the platform's components. Renaming or removing an output, or
 * changing its type, is a breaking change: bump `OUTPUTS_VERSION`.
 *
 * Consumers import this file (through stacks/consumer.ts); it loads nothing but @pulumi/pulumi.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MetaflowConfig, MetaflowConfigInputs } from "./metaflow-config";

export type { MetaflowConfig } from "./metaflow-config";

/** The version of this output set; consumers check it when an output they need is missing. */
export const OUTPUTS_VERSION = 1;

/** Every output of an ml-platform stack, with the type a consumer receives (README "Stack outputs"). */
export interface StackOutputs {
    /** Version of this output set; bumped on any breaking change. */
    readonly outputsVersion: number;
    /** The Metaflow client `config.json`; `METAFLOW_SERVICE_AUTH_KEY` is secret. */
    readonly metaflowConfig: MetaflowConfig;
    readonly artifactBucketName: string;
    readonly artifactBucketArn: string;
    /** KMS key of the datastore and of the SecureString parameters. */
    readonly artifactKmsKeyArn: string;
    /** Spot CPU job queue, the default `@batch` queue. */
    readonly cpuQueueName: string;
    readonly cpuQueueArn: string;
    /** On-demand CPU job queue, when the stack has one. */
    readonly cpuOnDemandQueueName?: string;
    readonly cpuOnDemandQueueArn?: string;
    readonly gpuQueueName: string;
    readonly gpuQueueArn: string;
    readonly jobQueueArns: string[];
    /** IAM role Batch jobs (Metaflow steps) run as. */
    readonly batchJobRoleArn: string;
    /** Security group of Batch jobs: allow it into services flows call. */
    readonly batchJobSecurityGroupId: string;
    /** A02 Dask scheduler (`tcp://host:port`), when the stack references one. */
    readonly daskSchedulerAddress?: string;
    /** Execution role of Metaflow's state machines. */
    readonly stepFunctionsRoleArn: string;
    /** Role EventBridge starts state machines with (`@schedule`, triggers). */
    readonly eventBridgeRoleArn: string;
    /** DynamoDB table of Step Functions foreach joins. */
    readonly dynamoDbTableName: string;
    /** Prefix of every state machine of this environment. */
    readonly stateMachinePrefix: string;
    /** CloudWatch log group of Step Functions execution history. */
    readonly executionLogGroupArn: string;
    /** Metadata service URL for clients (API Gateway when enabled). */
    readonly serviceUrl: string;
    /** Metadata service URL inside the VPC, used by Batch jobs. */
    readonly internalServiceUrl: string;
    /** Metaflow UI, when enabled. */
    readonly uiUrl?: string;
    /** CloudWatch dashboard of the platform. */
    readonly dashboardUrl: string;
    /** SNS topic of platform alerts. */
    readonly alertTopicArn: string;
    /** `/ml-platform/<env>` (docs/parameter-store.md). */
    readonly ssmParameterRoot: string;
    /** SecureString holding the `metaflowConfig` JSON. */
    readonly ssmMetaflowConfigParameter: string;
    /** Hyperparameter namespace, `/ml-platform/<env>/pipelines`. */
    readonly ssmPipelinesPath: string;
    /** ARN pattern of every pipeline's parameters, for IAM policies. */
    readonly ssmPipelinesArnPattern: string;
    readonly vpcId: string;
    readonly privateSubnetIds: string[];
    /** EKS cluster of `@kubernetes` steps, when the stack enables the Kubernetes option. */
    readonly eksClusterName?: string;
}

export type StackOutputName = keyof StackOutputs;

/**
 * Whether each output may be absent (the stack lacks the thing it names). One entry per output: the
 * compiler keeps it in step with `StackOutputs`, so it is also the runtime list of names.
 */
export const OPTIONAL_OUTPUTS: { readonly [K in StackOutputName]-?: undefined extends StackOutputs[K] ? true : false } = {
    outputsVersion: false,
    metaflowConfig: false,
    artifactBucketName: false,
    artifactBucketArn: false,
    artifactKmsKeyArn: false,
    cpuQueueName: false,
    cpuQueueArn: false,
    cpuOnDemandQueueName: true,
    cpuOnDemandQueueArn: true,
    gpuQueueName: false,
    gpuQueueArn: false,
    jobQueueArns: false,
    batchJobRoleArn: false,
    batchJobSecurityGroupId: false,
    daskSchedulerAddress: true,
    stepFunctionsRoleArn: false,
    eventBridgeRoleArn: false,
    dynamoDbTableName: false,
    stateMachinePrefix: false,
    executionLogGroupArn: false,
    serviceUrl: false,
    internalServiceUrl: false,
    uiUrl: true,
    dashboardUrl: false,
    alertTopicArn: false,
    ssmParameterRoot: false,
    ssmMetaflowConfigParameter: false,
    ssmPipelinesPath: false,
    ssmPipelinesArnPattern: false,
    vpcId: false,
    privateSubnetIds: false,
    eksClusterName: true,
};

export const STACK_OUTPUT_NAMES = Object.keys(OPTIONAL_OUTPUTS) as StackOutputName[];

/** The outputs while the program runs: each value may still be an output of its resource. */
export type StackOutputInputs = { readonly [K in keyof PlainOutputs]: pulumi.Input<PlainOutputs[K]> } & { readonly metaflowConfig: MetaflowConfigInputs };

type PlainOutputs = Omit<StackOutputs, "metaflowConfig">;

/** What the outputs are read from: the components' own outputs (structural, so this file stays light). */
export interface OutputSources {
    readonly metaflowConfig: MetaflowConfigInputs;
    readonly network: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Input<string[]> };
    readonly artifactStore: { readonly bucketName: pulumi.Input<string>; readonly bucketArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
    readonly compute: {
        readonly cpuQueueName: pulumi.Input<string>;
        readonly cpuQueueArn: pulumi.Input<string>;
        readonly cpuOnDemandQueueName?: pulumi.Input<string>;
        readonly cpuOnDemandQueueArn?: pulumi.Input<string>;
        readonly gpuQueueName: pulumi.Input<string>;
        readonly gpuQueueArn: pulumi.Input<string>;
        readonly jobQueueArns: pulumi.Input<string[]>;
        readonly jobRoleArn: pulumi.Input<string>;
        readonly jobSecurityGroupId: pulumi.Input<string>;
        readonly daskSchedulerAddress?: pulumi.Input<string>;
    };
    readonly metadata: { readonly serviceUrl: pulumi.Input<string>; readonly internalServiceUrl: pulumi.Input<string>; readonly uiUrl?: pulumi.Input<string> };
    readonly orchestrator: {
        readonly stepFunctionsRoleArn: pulumi.Input<string>;
        readonly eventBridgeRoleArn: pulumi.Input<string>;
        readonly dynamoDbTableName: pulumi.Input<string>;
        readonly stateMachinePrefix: pulumi.Input<string>;
        readonly executionLogGroupArn: pulumi.Input<string>;
    };
    readonly parameters: {
        readonly root: pulumi.Input<string>;
        readonly metaflowConfigParameterName: pulumi.Input<string>;
        readonly pipelinesPath: pulumi.Input<string>;
        readonly pipelinesArnPattern: pulumi.Input<string>;
    };
    readonly alertTopicArn: pulumi.Input<string>;
    readonly dashboardUrl: pulumi.Input<string>;
    readonly kubernetes?: { readonly clusterName: pulumi.Input<string> };
}

/** The stack outputs, every name from `StackOutputs`; optional ones are left out when absent. */
export function stackOutputs(s: OutputSources): StackOutputInputs {
    const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));
    return {
        outputsVersion: OUTPUTS_VERSION,
        metaflowConfig: s.metaflowConfig,
        artifactBucketName: s.artifactStore.bucketName,
        artifactBucketArn: s.artifactStore.bucketArn,
        artifactKmsKeyArn: s.artifactStore.kmsKeyArn,
        cpuQueueName: s.compute.cpuQueueName,
        cpuQueueArn: s.compute.cpuQueueArn,
        ...optional("cpuOnDemandQueueName", s.compute.cpuOnDemandQueueName),
        ...optional("cpuOnDemandQueueArn", s.compute.cpuOnDemandQueueArn),
        gpuQueueName: s.compute.gpuQueueName,
        gpuQueueArn: s.compute.gpuQueueArn,
        jobQueueArns: s.compute.jobQueueArns,
        batchJobRoleArn: s.compute.jobRoleArn,
        batchJobSecurityGroupId: s.compute.jobSecurityGroupId,
        ...optional("daskSchedulerAddress", s.compute.daskSchedulerAddress),
        stepFunctionsRoleArn: s.orchestrator.stepFunctionsRoleArn,
        eventBridgeRoleArn: s.orchestrator.eventBridgeRoleArn,
        dynamoDbTableName: s.orchestrator.dynamoDbTableName,
        stateMachinePrefix: s.orchestrator.stateMachinePrefix,
        executionLogGroupArn: s.orchestrator.executionLogGroupArn,
        serviceUrl: s.metadata.serviceUrl,
        internalServiceUrl: s.metadata.internalServiceUrl,
        ...optional("uiUrl", s.metadata.uiUrl),
        dashboardUrl: s.dashboardUrl,
        alertTopicArn: s.alertTopicArn,
        ssmParameterRoot: s.parameters.root,
        ssmMetaflowConfigParameter: s.parameters.metaflowConfigParameterName,
        ssmPipelinesPath: s.parameters.pipelinesPath,
        ssmPipelinesArnPattern: s.parameters.pipelinesArnPattern,
        vpcId: s.network.vpcId,
        privateSubnetIds: s.network.privateSubnetIds,
        ...optional("eksClusterName", s.kubernetes?.clusterName),
    };
}
