/**
 * The platform program: read config once, create the tagged provider, compose the components and
 * return the stack outputs (the published API, see outputs.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArtifactStore } from "../components/artifact-store";
import { ComputePool, KubernetesPool } from "../components/compute-pool";
import { MetadataService } from "../components/metadata-service";
import { Alerts, databaseKind, Monitoring } from "../components/monitoring";
import { Network, type PlatformNetwork } from "../components/network";
import { Orchestrator } from "../components/orchestrator";
import { metaflowConfigParameterName, ParameterStore } from "../components/parameters";
import { platformTags, type DataProtectionArgs } from "../components/shared";
import { Workspace } from "../components/workspace";
import { loadConfig } from "./config";
import { metadataServiceArgs } from "./metadata-args";
import { metaflowConfig } from "./metaflow-config";
import { stackOutputs } from "./outputs";
import { readUpstream } from "./upstream";

export async function program(): Promise<Record<string, unknown>> {
    const config = loadConfig();
    const provider = new aws.Provider("aws", {
        region: config.region as aws.Region,
        defaultTags: { tags: platformTags(config) },
    });
    const prefix = `mlp-${config.environment}`;
    const componentOpts: pulumi.ComponentResourceOptions = { providers: [provider] };
    // Every component keeps its stateful resources (data, keys, audit logs) as the stack says.
    const dataProtection: DataProtectionArgs = { protect: config.dataProtection.protect, retainOnDelete: config.dataProtection.retainOnDelete };

    const upstream = readUpstream(config);
    // With a data lake stack the platform joins the A01 VPC; otherwise it brings its own.
    const network: PlatformNetwork =
        upstream.network ??
        new Network(
            `${prefix}-network`,
            { region: config.region, ...config.network, ...dataProtection },
            componentOpts,
        );

    const artifactStore = new ArtifactStore(
        `${prefix}-artifacts`,
        {
            ...config.artifactStore,
            ...dataProtection,
            forceDestroy: config.dataProtection.forceDestroy,
        },
        componentOpts,
    );

    // The one alert topic: created early so every component can route its failures to it.
    const alerts = new Alerts(
        `${prefix}-alerts`,
        { emails: config.monitoring.alertEmails, ...dataProtection },
        componentOpts,
    );

    const compute = new ComputePool(
        `${prefix}-compute`,
        {
            environment: config.environment,
            tags: platformTags(config),
            vpcId: network.vpcId,
            vpcCidrBlock: network.vpcCidrBlock,
            subnetIds: network.privateSubnetIds,
            spot: config.compute.spot,
            onDemand: config.compute.onDemand.enabled ? config.compute.onDemand : undefined,
            gpu: config.compute.gpu,
            rootVolumeSizeGiB: config.compute.rootVolumeSizeGiB,
            artifactStore: { bucketArn: artifactStore.bucketArn, kmsKeyArn: artifactStore.kmsKeyArn },
            dataLake: upstream.dataLake,
            // The Parameter Store's SecureStrings use the datastore key (docs/parameter-store.md).
            parameterKmsKeyArn: artifactStore.kmsKeyArn,
            dask: upstream.dask,
        },
        componentOpts,
    );

    // Only where config asks for it: the EKS control plane is billed while idle.
    const kubernetes = config.compute.kubernetes
        ? new KubernetesPool(
              `${prefix}-kubernetes`,
              {
                  environment: config.environment,
                  region: config.region,
                  tags: platformTags(config),
                  vpcId: network.vpcId,
                  vpcCidrBlock: network.vpcCidrBlock,
                  subnetIds: network.privateSubnetIds,
                  ...config.compute.kubernetes,
                  rootVolumeSizeGiB: config.compute.rootVolumeSizeGiB,
                  // The same grants as the Batch job role.
                  jobGrants: { artifactBucketArn: artifactStore.bucketArn, artifactKmsKeyArn: artifactStore.kmsKeyArn, dataLake: upstream.dataLake, parameterKmsKeyArn: artifactStore.kmsKeyArn },
                  ...dataProtection,
              },
              componentOpts,
          )
        : undefined;

    const metadata = new MetadataService(`${prefix}-metadata`, metadataServiceArgs(config, network, artifactStore, { provider }), componentOpts);

    const accountId = aws.getCallerIdentityOutput({}, { provider }).accountId;
    const orchestrator = new Orchestrator(
        `${prefix}-orchestrator`,
        {
            environment: config.environment,
            region: config.region,
            accountId,
            jobQueueArns: compute.jobQueueArns,
            jobRoleArn: compute.jobRoleArn,
            jobRoleName: compute.jobRoleName,
            artifactBucketArn: artifactStore.bucketArn,
            artifactKmsKeyArn: artifactStore.kmsKeyArn,
            alertTopicArn: alerts.topicArn,
            ...config.orchestrator,
            ...dataProtection,
        },
        componentOpts,
    );

    const metaflow = metaflowConfig({ artifactStore, compute, metadata, orchestrator, client: config.metaflow, kubernetes });
    // After everything whose values it publishes.
    const parameters = new ParameterStore(
        `${prefix}-parameters`,
        {
            environment: config.environment,
            region: config.region,
            accountId,
            kmsKeyArn: artifactStore.kmsKeyArn,
            metaflowConfig: metaflow,
            jobQueueNames: {
                cpu: compute.cpuQueueName,
                gpu: compute.gpuQueueName,
                ...(compute.cpuOnDemandQueueName ? { "cpu-ondemand": compute.cpuOnDemandQueueName } : {}),
            },
            daskSchedulerAddress: upstream.dask?.schedulerAddress,
            dataLake: upstream.dataLake,
        },
        componentOpts,
    );

    if (config.workspaces) {
        new Workspace(
            `${prefix}-workspaces`,
            {
                environment: config.environment,
                region: config.region,
                ...config.workspaces,
                network,
                artifactStore,
                compute,
                orchestrator,
                metaflowConfigParameterName: metaflowConfigParameterName(config.environment),
                // The Parameter Store's SecureStrings use the datastore key (docs/parameter-store.md).
                parametersKmsKeyArn: artifactStore.kmsKeyArn,
                retainHomeFileSystem: !config.dataProtection.forceDestroy,
                ...dataProtection,
            },
            componentOpts,
        );
    }

    // Last: it watches everything above.
    const monitoring = new Monitoring(
        `${prefix}-monitoring`,
        {
            environment: config.environment,
            region: config.region,
            alertTopicArn: alerts.topicArn,
            jobQueueArns: compute.jobQueueArns,
            metadata,
            database: { identifier: metadata.dbIdentifier, kind: databaseKind(config.metadata.database) },
            thresholds: config.monitoring.alarms,
            driftModels: config.monitoring.driftModels,
            monthlyBudgetUsd: config.monitoring.monthlyBudgetUsd,
            eventLogRetentionDays: config.monitoring.eventLogRetentionDays,
            ...dataProtection,
        },
        componentOpts,
    );

    return stackOutputs({
        metaflowConfig: metaflow,
        network,
        artifactStore,
        compute,
        metadata,
        orchestrator,
        parameters,
        alertTopicArn: alerts.topicArn,
        dashboardUrl: monitoring.dashboardUrl,
        kubernetes,
    });
}
