/**
 * The datastore's lifecycle rules. Metaflow never rewrites an artifact (keys are content hashes), so
 * old objects are cold data: tier them down and expire noncurrent versions left by deletes.
 */
import type * as aws from "@pulumi/aws";

export interface LifecycleSettings {
    readonly infrequentAccessAfterDays: number;
    readonly archiveAfterDays: number;
    readonly noncurrentVersionExpirationDays: number;
    readonly abortIncompleteUploadDays: number;
}

export function datastoreLifecycleRules(s: LifecycleSettings): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        {
            id: "tier-current-objects",
            status: "Enabled",
            filter: {},
            transitions: [
                { days: s.infrequentAccessAfterDays, storageClass: "STANDARD_IA" },
                { days: s.archiveAfterDays, storageClass: "GLACIER_IR" },
            ],
        },
        {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            // Standard-IA takes objects from day 30 on; versions kept no longer than that just expire.
            noncurrentVersionTransitions: s.noncurrentVersionExpirationDays > 30 ? [{ noncurrentDays: 30, storageClass: "STANDARD_IA" }] : [],
            noncurrentVersionExpiration: { noncurrentDays: s.noncurrentVersionExpirationDays },
        },
        {
            id: "abort-incomplete-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: s.abortIncompleteUploadDays },
        },
    ];
}

export function accessLogLifecycleRules(retentionDays: number): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: retentionDays } },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
    ];
}
