/**
 * IAM policy documents as plain data, so that tests and policies can parse and check them. Every
 * component builds its documents from these helpers; there is one JSON shape in the whole platform.
 */
import * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
    readonly Principal?: unknown;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

/** An input-carrying statement: ARNs may still be outputs of other resources. */
export type StatementInput = pulumi.Input<{
    Sid?: pulumi.Input<string>;
    Effect: "Allow" | "Deny";
    Action: pulumi.Input<string> | pulumi.Input<pulumi.Input<string>[]>;
    Resource: pulumi.Input<string> | pulumi.Input<pulumi.Input<string>[]>;
    Principal?: pulumi.Input<unknown>;
    Condition?: pulumi.Input<Record<string, pulumi.Input<Record<string, unknown>>>>;
}>;

/** A policy document whose statements may hold outputs, rendered to the JSON string IAM takes. */
export function policyJson(statements: readonly StatementInput[]): pulumi.Output<string> {
    return pulumi
        .all(statements.map((s) => pulumi.output(s)))
        .apply((resolved) => JSON.stringify({ Version: "2012-10-17", Statement: resolved }));
}

/** The trust policy that lets AWS services assume a role, optionally only on behalf of one account. */
export function assumeRolePolicy(services: string | readonly string[], sourceAccount?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(sourceAccount).apply((account) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Principal: { Service: services },
                    ...(account ? { Condition: { StringEquals: { "aws:SourceAccount": account } } } : {}),
                },
            ],
        }),
    );
}

/** `arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/*` for object-level statements. */
export function bucketAndObjects(bucketArn: pulumi.Input<string>): pulumi.Output<string[]> {
    return pulumi.output(bucketArn).apply((arn) => [arn, `${arn}/*`]);
}

/** A statement that denies any request to a bucket that does not use TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>): StatementInput {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: bucketAndObjects(bucketArn),
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** A statement that lets a KMS key be used only through the given AWS service(s) in one region (`kms:ViaService`). */
export function keyViaService(sid: string, keyArn: pulumi.Input<string>, actions: string | string[], service: string | readonly string[], region: pulumi.Input<string>): StatementInput {
    const endpoint = (s: string) => pulumi.interpolate`${s}.${region}.amazonaws.com`;
    return {
        Sid: sid,
        Effect: "Allow",
        Action: actions,
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": typeof service === "string" ? endpoint(service) : service.map(endpoint) } },
    };
}

/** Metaflow steps and notebooks read and write the artifact store: its objects, and its key only through S3. */
export function artifactStoreReadWrite(bucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, region: pulumi.Input<string>): StatementInput[] {
    return [
        {
            Sid: "ArtifactStoreReadWrite",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resource: bucketAndObjects(bucketArn),
        },
        keyViaService("ArtifactStoreKey", kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"], "s3", region),
    ];
}
