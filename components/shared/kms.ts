/**
 * Key policies for customer-managed KMS keys that AWS services use on the platform's behalf.
 */

/** Where a key lives: partition, account and region, for ARNs and service principals. */
export interface KeyContext {
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
}

/**
 * A key for CloudWatch log groups: the account administers it through IAM (what the default key
 * policy grants), and CloudWatch Logs may use it only for log groups whose names start with
 * `logGroupPrefix`.
 */
export function logsKeyPolicy(ctx: KeyContext, logGroupPrefix: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
                Action: "kms:*",
                // In a key policy "*" means this key.
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsEncryptsOwnLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${logGroupPrefix}*` } },
            },
        ],
    });
}
