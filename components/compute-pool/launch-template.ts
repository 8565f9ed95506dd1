/**
 * The launch template every Batch instance starts from: IMDSv2 only, an encrypted gp3 root volume,
 * and the platform's tags on the instances and volumes that AWS launches on our behalf.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** The root device of the ECS-optimized Amazon Linux 2023 AMIs, standard and NVIDIA. */
export const ROOT_DEVICE_NAME = "/dev/xvda";

/**
 * Containers sit one network hop behind the instance (docker bridge), so the IMDSv2 token response
 * needs a hop limit of 2 to reach them; at 1 the SDKs in a job cannot get credentials from IMDS.
 */
export const METADATA_HOP_LIMIT = 2;

export interface LaunchTemplateSettings {
    readonly rootVolumeSizeGiB: number;
    /** Customer-managed key for the root volume; the account's default EBS key when absent. */
    readonly rootVolumeKmsKeyArn?: pulumi.Input<string>;
    /** Tags for the instances and volumes Batch launches. */
    readonly tags: Readonly<Record<string, string>>;
}

export function launchTemplateArgs(s: LaunchTemplateSettings): aws.ec2.LaunchTemplateArgs {
    return {
        description: "AWS Batch instances of the Metaflow compute pool",
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: METADATA_HOP_LIMIT },
        blockDeviceMappings: [
            {
                deviceName: ROOT_DEVICE_NAME,
                ebs: {
                    volumeType: "gp3",
                    volumeSize: s.rootVolumeSizeGiB,
                    encrypted: "true",
                    kmsKeyId: s.rootVolumeKmsKeyArn,
                    deleteOnTermination: "true",
                },
            },
        ],
        // The provider's defaultTags tag the template itself, not what is launched from it.
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags: { ...s.tags } })),
        updateDefaultVersion: true,
    };
}
