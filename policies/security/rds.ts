/**
 * RDS baseline: the metadata database is encrypted, private, backed up and, where config says so,
 * protected from deletion. Aurora splits settings between the cluster (storage, backups, deletion
 * protection) and its instances (network exposure), so each rule looks where the setting lives.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, validateTypes } from "../lib/resources";
import { policyConfig } from "../lib/schema";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";

const LABEL: Record<string, string> = { [INSTANCE]: "RDS instance", [CLUSTER]: "RDS cluster", [CLUSTER_INSTANCE]: "RDS cluster instance" };

export const rdsEncryptedConfig = policyConfig({
    requireCustomerManagedKey: {
        type: "boolean",
        default: false,
        description: "Also require `kmsKeyId` (a customer-managed KMS key) rather than the account's aws/rds key.",
    },
});

export const rdsEncrypted: ResourceValidationPolicy = {
    name: "rds-encrypted",
    description: "Checks whether RDS instances and clusters encrypt their storage at rest (with a customer-managed KMS key where config requires it).",
    configSchema: rdsEncryptedConfig.schema,
    validateResource: validateTypes([INSTANCE, CLUSTER], (args, reportViolation) => {
        const { requireCustomerManagedKey } = rdsEncryptedConfig.read(args);
        const what = `${LABEL[args.type]} '${args.name}'`;
        if (args.props.storageEncrypted !== true) {
            reportViolation(`${what} is not encrypted at rest. Set storageEncrypted: true with kmsKeyId on it (an existing database is re-created from an encrypted snapshot copy).`);
        } else if (requireCustomerManagedKey && !isSet(args.props, "kmsKeyId")) {
            reportViolation(`${what} is encrypted with the account's default aws/rds key; this environment requires a customer-managed key. Set kmsKeyId on it.`);
        }
    }),
};

export const rdsNotPublic: ResourceValidationPolicy = {
    name: "rds-not-public",
    description: "Checks whether RDS instances and Aurora cluster instances are not publicly accessible.",
    validateResource: validateTypes([INSTANCE, CLUSTER_INSTANCE], (args, reportViolation) => {
        if (args.props.publiclyAccessible === true) {
            reportViolation(`${LABEL[args.type]} '${args.name}' has a public endpoint. Set publiclyAccessible: false and reach it from inside the VPC.`);
        }
    }),
};

/** What RDS uses when backupRetentionPeriod is not set. */
const AWS_DEFAULT_RETENTION_DAYS = 1;

export const rdsBackupRetentionConfig = policyConfig({
    minimumDays: {
        type: "integer",
        default: 7,
        minimum: 1,
        maximum: 35,
        description: "Fewest days of automated backups (point-in-time recovery window) a database must keep.",
    },
});

export const rdsBackupRetention: ResourceValidationPolicy = {
    name: "rds-backup-retention",
    description: "Checks whether RDS instances and clusters keep automated backups for at least the configured number of days (clusters carry the setting for their instances).",
    configSchema: rdsBackupRetentionConfig.schema,
    validateResource: validateTypes([INSTANCE, CLUSTER], (args, reportViolation) => {
        // A read replica keeps no backups of its own: its source's retention is what counts.
        if (isSet(args.props, "replicateSourceDb")) args.notApplicable("read replicas take their backups from the source database");
        const { minimumDays } = rdsBackupRetentionConfig.read(args);
        const days = typeof args.props.backupRetentionPeriod === "number" ? args.props.backupRetentionPeriod : AWS_DEFAULT_RETENTION_DAYS;
        if (days < minimumDays) {
            const given = args.props.backupRetentionPeriod === undefined ? `${days} day (the default)` : `${days} day(s)`;
            reportViolation(`${LABEL[args.type]} '${args.name}' keeps automated backups for ${given}; this environment requires at least ${minimumDays}. Set backupRetentionPeriod >= ${minimumDays} on it.`);
        }
    }),
};

export const rdsDeletionProtectionConfig = policyConfig({
    requireDeletionProtection: {
        type: "boolean",
        default: true,
        description: "Require deletionProtection on RDS instances and clusters (prod).",
    },
});

export const rdsDeletionProtection: ResourceValidationPolicy = {
    name: "rds-deletion-protection",
    description: "Checks whether RDS instances and clusters have deletion protection on where config requires it.",
    configSchema: rdsDeletionProtectionConfig.schema,
    validateResource: validateTypes([INSTANCE, CLUSTER], (args, reportViolation) => {
        const { requireDeletionProtection } = rdsDeletionProtectionConfig.read(args);
        if (!requireDeletionProtection) args.notApplicable("this environment does not require deletion protection");
        if (args.props.deletionProtection !== true) {
            reportViolation(`${LABEL[args.type]} '${args.name}' can be deleted by an API call. Set deletionProtection: true on it.`);
        }
    }),
};

export const rdsPolicies = [rdsEncrypted, rdsNotPublic, rdsBackupRetention, rdsDeletionProtection];
