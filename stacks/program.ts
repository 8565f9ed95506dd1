/**
 * The platform program: read config once, create the tagged provider, compose the components and
 * return the stack outputs (the published API, see outputs.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArtifactStore } from "../components/artifact-store";
import { platformTags } from "../components/shared";
import { loadConfig, type PlatformConfig } from "./config";

export interface PlatformParts {
    readonly config: PlatformConfig;
    readonly artifactStore: ArtifactStore;
}

export async function program(): Promise<Record<string, unknown>> {
    const config = loadConfig();
    const provider = new aws.Provider("aws", {
        region: config.region as aws.Region,
        defaultTags: { tags: platformTags(config) },
    });
    const prefix = `mlp-${config.environment}`;
    const componentOpts: pulumi.ComponentResourceOptions = { providers: [provider] };

    const artifactStore = new ArtifactStore(
        `${prefix}-artifacts`,
        {
            ...config.artifactStore,
            protect: config.dataProtection.protect,
            retainOnDelete: config.dataProtection.retainOnDelete,
            forceDestroy: config.dataProtection.forceDestroy,
        },
        componentOpts,
    );

    return {
        outputsVersion: 1,
        artifactBucketName: artifactStore.bucketName,
        artifactBucketArn: artifactStore.bucketArn,
        artifactKmsKeyArn: artifactStore.kmsKeyArn,
        metaflowConfig: {
            METAFLOW_DEFAULT_DATASTORE: "s3",
            METAFLOW_DATASTORE_SYSROOT_S3: artifactStore.datastoreRoot,
            METAFLOW_DATATOOLS_S3ROOT: artifactStore.dataToolsRoot,
        },
    };
}
