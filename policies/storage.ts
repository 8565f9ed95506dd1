/**
 * S3 baseline: every bucket is encrypted, private, TLS-only and versioned. In provider v7 these are
 * companion resources of the bucket, so the checks are stack policies that pair each bucket with its
 * companions; data protection asks prod's stateful resources to be protected from deletion.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asList, checkEach, companionsOf, ifKnown, parsePolicyDocument } from "./lib/resources";
import { policyConfig } from "./lib/schema";

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_TYPES = [BUCKET, "aws:s3/bucketV2:BucketV2"];

/** The values a companion's `bucket` input may hold for this bucket (unknown ones left out). */
function bucketNames(bucket: PolicyResource): unknown[] {
    return [ifKnown(() => bucket.props.bucket)].filter((v) => v !== undefined);
}

function buckets(resources: readonly PolicyResource[]): PolicyResource[] {
    return resources.filter((r) => BUCKET_TYPES.includes(r.type));
}

/** The bucket's companions of one type, matched on their `bucket` input. */
function companions(resources: readonly PolicyResource[], bucket: PolicyResource, type: string): PolicyResource[] {
    const names = bucketNames(bucket);
    return companionsOf(resources, type, "bucket", bucket, names);
}

/** S3 server access logs can only be delivered to SSE-S3 buckets, so log targets are exempt from SSE-KMS. */
function isAccessLogTarget(resources: readonly PolicyResource[], bucket: PolicyResource): boolean {
    const names = bucketNames(bucket);
    return companionsOf(resources, "aws:s3/bucketLogging:BucketLogging", "targetBucket", bucket, names).length > 0;
}

export const s3EncryptionConfig = policyConfig({
    requireKms: {
        type: "boolean",
        default: false,
        description: "Require SSE-KMS (aws:kms or aws:kms:dsse) except on access-log target buckets, which S3 only delivers to with SSE-S3; otherwise SSE-S3 (AES256) also passes.",
    },
});

export const s3Encryption: StackValidationPolicy = {
    name: "s3-encryption",
    description: "Checks whether every S3 bucket has default server-side encryption (SSE-KMS where config requires it).",
    configSchema: s3EncryptionConfig.schema,
    validateStack: (args, reportViolation) => {
        const { requireKms } = s3EncryptionConfig.read(args);
        checkEach(buckets(args.resources), (bucket) => {
            const rules = companions(args.resources, bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").flatMap(
                (c) => (c.props.rules as Record<string, any>[] | undefined) ?? [],
            );
            const algorithms = rules.map((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm as string | undefined).filter((a): a is string => !!a);
            if (algorithms.length === 0) {
                reportViolation(`Bucket '${bucket.name}' has no default encryption. Add an aws.s3.BucketServerSideEncryptionConfiguration for it.`, bucket.urn);
            } else if (requireKms && !algorithms.every((a) => a.startsWith("aws:kms")) && !isAccessLogTarget(args.resources, bucket)) {
                reportViolation(`Bucket '${bucket.name}' is encrypted with ${algorithms.join(", ")}; this environment requires SSE-KMS. Set sseAlgorithm "aws:kms" with a customer-managed key.`, bucket.urn);
            }
        });
    },
};

export const s3PublicAccessBlock: StackValidationPolicy = {
    name: "s3-public-access-block",
    description: "Checks whether every S3 bucket blocks all public access (all four public access block settings on).",
    validateStack: (args, reportViolation) => {
        const settings = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        checkEach(buckets(args.resources), (bucket) => {
            const blocks = companions(args.resources, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            const off = settings.filter((s) => !blocks.some((b) => b.props[s] === true));
            if (off.length > 0) {
                reportViolation(
                    `Bucket '${bucket.name}' does not block public access (${off.join(", ")} not true). Add an aws.s3.BucketPublicAccessBlock with all four settings true.`,
                    bucket.urn,
                );
            }
        });
    },
};

/** True when a statement denies every S3 action on the bucket and its objects without TLS. */
function deniesInsecureTransport(statement: Record<string, any>): boolean {
    const secure = statement.Condition?.Bool?.["aws:SecureTransport"];
    const actions = asList(statement.Action);
    const resources = asList(statement.Resource);
    const principal = statement.Principal;
    return (
        statement.Effect === "Deny" &&
        (secure === false || secure === "false") &&
        actions.some((a) => a === "s3:*" || a === "*") &&
        (principal === "*" || principal?.AWS === "*") &&
        resources.some((r) => r.endsWith("/*"))
    );
}

export const s3TlsOnly: StackValidationPolicy = {
    name: "s3-tls-only",
    description: "Checks whether every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport false).",
    validateStack: (args, reportViolation) => {
        checkEach(buckets(args.resources), (bucket) => {
            const policies = companions(args.resources, bucket, "aws:s3/bucketPolicy:BucketPolicy");
            const ok = policies.some((p) => (parsePolicyDocument(p.props.policy)?.Statement ?? []).some(deniesInsecureTransport));
            if (!ok) {
                reportViolation(
                    `Bucket '${bucket.name}' accepts plain-HTTP requests. Add a bucket policy statement that denies s3:* on the bucket and its objects when aws:SecureTransport is false.`,
                    bucket.urn,
                );
            }
        });
    },
};

export const s3Versioning: StackValidationPolicy = {
    name: "s3-versioning",
    description: "Checks whether every S3 bucket has versioning enabled, so overwritten or deleted objects can be recovered.",
    validateStack: (args, reportViolation) => {
        checkEach(buckets(args.resources), (bucket) => {
            const versioning = companions(args.resources, bucket, "aws:s3/bucketVersioning:BucketVersioning");
            if (!versioning.some((v) => v.props.versioningConfiguration?.status === "Enabled")) {
                reportViolation(`Bucket '${bucket.name}' is not versioned. Add an aws.s3.BucketVersioning with status "Enabled".`, bucket.urn);
            }
        });
    },
};

/** Stateful resource types whose loss loses data. */
export const STATEFUL_TYPES = [
    ...BUCKET_TYPES,
    "aws:kms/key:Key",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:dynamodb/table:Table",
];

export const dataProtectionConfig = policyConfig({
    requireProtect: {
        type: "boolean",
        default: false,
        description: "Require `protect` on buckets, KMS keys, databases and tables (set for prod).",
    },
});

export const dataProtection: StackValidationPolicy = {
    name: "data-protection",
    description: "Checks whether stateful resources (buckets, KMS keys, databases, tables) are protected from deletion and replacement where config requires it.",
    configSchema: dataProtectionConfig.schema,
    validateStack: (args, reportViolation) => {
        const { requireProtect } = dataProtectionConfig.read(args);
        if (!requireProtect) args.notApplicable("this environment does not require protected data");
        for (const r of args.resources.filter((x) => STATEFUL_TYPES.includes(x.type))) {
            if (!r.opts.protect) {
                reportViolation(`${r.type} '${r.name}' can be deleted or replaced by an update. Create it with { protect: true } (ml-platform:dataProtection.protect).`, r.urn);
            }
        }
    },
};

export const storagePolicies = [s3Encryption, s3PublicAccessBlock, s3TlsOnly, s3Versioning, dataProtection];
