/**
 * The launch template every Batch instance (and EKS node) starts from: IMDSv2 only, an encrypted gp3
 * root volume, and the platform's tags on the instances and volumes that AWS launches on our behalf.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** The root device of the ECS- and EKS-optimized Amazon Linux 2023 AMIs, standard and NVIDIA. */
export const ROOT_DEVICE_NAME = "/dev/xvda";

/**
 * Jobs get their AWS credentials from the ECS task-role endpoint (the job role), not from IMDS. The
 * hop limit is for what a job reads from instance metadata itself: Metaflow's spot-termination
 * monitor and its instance metadata (instance type, zone) run in the container, one network hop
 * behind the instance (docker bridge), and an IMDSv2 token needs a hop limit of 2 to reach it. The
 * price is that a container can also read the instance role's credentials from IMDS: that role
 * therefore holds only the ECS agent's managed policy (ECS_INSTANCE_MANAGED_POLICY) and nothing else.
 */
export const METADATA_HOP_LIMIT = 2;

export interface LaunchTemplateSettings {
    readonly rootVolumeSizeGiB: number;
    /** Customer-managed key for the root volume; the account's default EBS key when absent. */
    readonly rootVolumeKmsKeyArn?: pulumi.Input<string>;
    /** Tags for the instances and volumes Batch launches. */
    readonly tags: Readonly<Record<string, string>>;
    /** What launches from the template. @default "AWS Batch instances of the Metaflow compute pool" */
    readonly description?: string;
    /** IMDSv2 response hop limit: 1 keeps containers away from the instance role. @default METADATA_HOP_LIMIT */
    readonly metadataHopLimit?: number;
}

export function launchTemplateArgs(s: LaunchTemplateSettings): aws.ec2.LaunchTemplateArgs {
    return {
        description: s.description ?? "AWS Batch instances of the Metaflow compute pool",
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: s.metadataHopLimit ?? METADATA_HOP_LIMIT },
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
