import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, keepOptions, policyJson, type DataProtectionArgs } from "../shared";
import { accessLogLifecycleRules, datastoreLifecycleRules, type LifecycleSettings } from "./lifecycle";

/** `protect` and `retainOnDelete` keep the bucket, its key and the access-log bucket. */
export interface ArtifactStoreArgs extends LifecycleSettings, DataProtectionArgs {
    /** Write S3 server access logs to a second bucket in the same account. @default false */
    readonly accessLogging?: boolean;
    /** Days access logs are kept. @default 90 */
    readonly accessLogRetentionDays?: number;
    /** Lets `pulumi destroy` delete a non-empty bucket; never together with `protect`. @default false */
    readonly forceDestroy?: boolean;
    /** Days a deleted KMS key waits before it is gone. @default 30 */
    readonly keyDeletionWindowDays?: number;
}

/** The key prefix of Metaflow's datastore in the bucket: METAFLOW_DATASTORE_SYSROOT_S3 is `s3://<bucket>/<prefix>`. */
export const DATASTORE_PREFIX = "metaflow";

/**
 * The Metaflow datastore: an S3 bucket encrypted with its own customer-managed KMS key, versioned,
 * private, TLS-only, with lifecycle tiers, optionally access-logged.
 */
export class ArtifactStore extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** `s3://<bucket>/metaflow` (DATASTORE_PREFIX): METAFLOW_DATASTORE_SYSROOT_S3. */
    public readonly datastoreRoot: pulumi.Output<string>;
    /** `s3://<bucket>/data`: METAFLOW_DATATOOLS_S3ROOT. */
    public readonly dataToolsRoot: pulumi.Output<string>;
    public readonly accessLogBucketName?: pulumi.Output<string>;

    constructor(name: string, args: ArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:storage:ArtifactStore", name, {}, opts);
        if (args.forceDestroy && args.protect) {
            throw new pulumi.ResourceError("forceDestroy cannot be combined with protect: unprotect the store first", this);
        }
        const keep = keepOptions(this, args);
        const child: pulumi.CustomResourceOptions = { parent: this };

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Metaflow datastore encryption (${name})`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
            },
            keep,
        );

        // Auto-naming keeps the bucket name globally unique and stable; it never depends on config.
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: args.forceDestroy ?? false }, keep);
        this.secureBucket(name, bucket, child, { kmsKeyArn: key.arn });
        new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules: datastoreLifecycleRules(args) }, child);

        if (args.accessLogging) {
            const logs = new aws.s3.Bucket(`${name}-access-logs`, { forceDestroy: args.forceDestroy ?? false }, keep);
            // S3 log delivery cannot write to KMS-encrypted buckets: the log bucket uses SSE-S3.
            this.secureBucket(`${name}-access-logs`, logs, child, { logDeliverySource: bucket.arn });
            new aws.s3.BucketVersioning(`${name}-access-logs-versioning`, { bucket: logs.id, versioningConfiguration: { status: "Enabled" } }, child);
            new aws.s3.BucketLifecycleConfiguration(`${name}-access-logs-lifecycle`, { bucket: logs.id, rules: accessLogLifecycleRules(args.accessLogRetentionDays ?? 90) }, child);
            new aws.s3.BucketLogging(`${name}-logging`, { bucket: bucket.id, targetBucket: logs.id, targetPrefix: "s3-access/" }, child);
            this.accessLogBucketName = logs.bucket;
        }

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.kmsKeyArn = key.arn;
        this.datastoreRoot = pulumi.interpolate`s3://${bucket.bucket}/${DATASTORE_PREFIX}`;
        this.dataToolsRoot = pulumi.interpolate`s3://${bucket.bucket}/data`;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            kmsKeyArn: this.kmsKeyArn,
            datastoreRoot: this.datastoreRoot,
            dataToolsRoot: this.dataToolsRoot,
            accessLogBucketName: this.accessLogBucketName,
        });
    }

    /** Encryption, ownership, public access block and TLS-only policy: what every bucket here gets. */
    private secureBucket(
        name: string,
        bucket: aws.s3.Bucket,
        opts: pulumi.CustomResourceOptions,
        how: { kmsKeyArn?: pulumi.Input<string>; logDeliverySource?: pulumi.Input<string> },
    ): void {
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: how.kmsKeyArn ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: how.kmsKeyArn } : { sseAlgorithm: "AES256" },
                        // S3 Bucket Keys cut KMS request costs by ~99% for many small artifacts.
                        bucketKeyEnabled: how.kmsKeyArn !== undefined,
                    },
                ],
            },
            opts,
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            opts,
        );
        const statements = [denyInsecureTransport(bucket.arn)];
        if (how.logDeliverySource) {
            statements.push({
                Sid: "AllowS3AccessLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: pulumi.interpolate`${bucket.arn}/s3-access/*`,
                Condition: { ArnLike: { "aws:SourceArn": how.logDeliverySource } },
            });
        }
        // The public access block must exist first, or S3 may evaluate the policy without it.
        new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucket.id, policy: policyJson(statements) }, { ...opts, dependsOn: [publicAccess] });
    }
}
