/**
 * Data at rest: KMS keys rotate, logs expire and (where configured) are encrypted, topics, tables
 * and secrets use KMS, tables can be restored to a point in time, and secret-looking SSM parameters
 * are SecureStrings.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, runChecks, validateType } from "../lib/resources";
import { policyConfig } from "../lib/schema";
import { findPlainSecrets, secretNameConfigProperties } from "./secret-detection";

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Checks whether symmetric encryption KMS keys rotate their key material yearly (asymmetric, HMAC and custom key store keys cannot).",
    validateResource: validateType("aws:kms/key:Key", (args, reportViolation) => {
        const p = args.props;
        const spec = p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        const usage = p.keyUsage ?? "ENCRYPT_DECRYPT";
        if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") args.notApplicable(`KMS does not rotate ${spec} ${usage} keys`);
        if (isSet(p, "customKeyStoreId") || isSet(p, "xksKeyId")) args.notApplicable("KMS does not rotate keys in a custom key store");
        if (p.enableKeyRotation !== true) {
            reportViolation(`KMS key '${args.name}' does not rotate its key material. Set enableKeyRotation: true on it.`);
        }
    }),
};

/** The longest retention CloudWatch Logs accepts (10 years). */
const MAX_LOG_RETENTION_DAYS = 3653;

export const logGroupRetentionConfig = policyConfig({
    minimumDays: {
        type: "integer",
        default: 1,
        minimum: 1,
        maximum: MAX_LOG_RETENTION_DAYS,
        description: "Fewest days a log group may keep its events.",
    },
    maximumDays: {
        type: "integer",
        default: MAX_LOG_RETENTION_DAYS,
        minimum: 1,
        maximum: MAX_LOG_RETENTION_DAYS,
        description: "Most days a log group may keep its events (logs are billed per GB stored).",
    },
    requireKms: {
        type: "boolean",
        default: false,
        description: "Require a KMS key (kmsKeyId) on every log group.",
    },
});

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Checks whether CloudWatch log groups expire their events within the configured bounds and, where config requires it, are encrypted with KMS.",
    configSchema: logGroupRetentionConfig.schema,
    validateResource: validateType("aws:cloudwatch/logGroup:LogGroup", (args, reportViolation) => {
        const { minimumDays, maximumDays, requireKms } = logGroupRetentionConfig.read(args);
        const days = args.props.retentionInDays;
        const bounds = `between ${minimumDays} and ${maximumDays}`;
        if (typeof days !== "number" || days <= 0) {
            reportViolation(`Log group '${args.name}' keeps its events forever. Set retentionInDays ${bounds} on it.`);
        } else if (days < minimumDays || days > maximumDays) {
            reportViolation(`Log group '${args.name}' keeps its events for ${days} days; this environment requires ${bounds}. Change retentionInDays on it.`);
        }
        if (requireKms && !isSet(args.props, "kmsKeyId")) {
            reportViolation(`Log group '${args.name}' is not encrypted with a KMS key, which this environment requires. Set kmsKeyId to a key whose policy lets CloudWatch Logs use it.`);
        }
    }),
};

export const snsTopicEncrypted: ResourceValidationPolicy = {
    name: "sns-topic-encrypted",
    description: "Checks whether SNS topics encrypt messages at rest with a KMS key.",
    validateResource: validateType("aws:sns/topic:Topic", (args, reportViolation) => {
        if (!isSet(args.props, "kmsMasterKeyId")) {
            reportViolation(`SNS topic '${args.name}' is not encrypted. Set kmsMasterKeyId on it to a key whose policy lets the publishing services (CloudWatch, EventBridge) use it.`);
        }
    }),
};

export const dynamodbEncryptedPitr: ResourceValidationPolicy = {
    name: "dynamodb-encrypted-pitr",
    description: "Checks whether DynamoDB tables are encrypted with KMS (not the AWS-owned key) and have point-in-time recovery on.",
    validateResource: validateType("aws:dynamodb/table:Table", (args, reportViolation) => {
        runChecks(
            () => {
                if (args.props.serverSideEncryption?.enabled !== true) {
                    reportViolation(`DynamoDB table '${args.name}' uses the AWS-owned key. Set serverSideEncryption: { enabled: true, kmsKeyArn } on it.`);
                }
            },
            () => {
                if (args.props.pointInTimeRecovery?.enabled !== true) {
                    reportViolation(`DynamoDB table '${args.name}' cannot be restored to a point in time. Set pointInTimeRecovery: { enabled: true } on it.`);
                }
            },
        );
    }),
};

export const secretsManagerKms: ResourceValidationPolicy = {
    name: "secrets-manager-kms",
    description: "Checks whether Secrets Manager secrets are encrypted with a customer-managed KMS key rather than the account's aws/secretsmanager key.",
    validateResource: validateType("aws:secretsmanager/secret:Secret", (args, reportViolation) => {
        if (!isSet(args.props, "kmsKeyId")) {
            reportViolation(`Secret '${args.name}' uses the account's default aws/secretsmanager key. Set kmsKeyId on it to a customer-managed key, so access to the secret also needs access to the key.`);
        }
    }),
};

export const ssmParameterSecureConfig = policyConfig(secretNameConfigProperties);

export const ssmParameterSecure: ResourceValidationPolicy = {
    name: "ssm-parameter-secure",
    description: "Checks whether SSM parameters whose name or value looks secret (including keys inside a JSON value) are SecureStrings.",
    configSchema: ssmParameterSecureConfig.schema,
    validateResource: validateType("aws:ssm/parameter:Parameter", (args, reportViolation) => {
        if (args.props.type === "SecureString") return;
        const config = ssmParameterSecureConfig.read(args);
        const name = String(args.props.name ?? args.name);
        for (const finding of findPlainSecrets([[name, args.props.value ?? args.props.insecureValue]], config)) {
            reportViolation(`SSM parameter '${args.name}' (${finding.name}) holds ${finding.why} as a ${args.props.type ?? "String"}. Make it type "SecureString" with a KMS key (keyId).`);
        }
    }),
};

export const dataPolicies = [kmsKeyRotation, logGroupRetention, snsTopicEncrypted, dynamodbEncryptedPitr, secretsManagerKms, ssmParameterSecure];
