/**
 * The job role's permissions: what a Metaflow step may touch, and nothing else. Every statement is
 * scoped to the ARNs it needs; KMS use is further limited to calls made through S3 or SSM, and
 * metric publishing to the model drift namespace (docs/monitoring.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { DRIFT_NAMESPACE } from "../monitoring/metrics";
import { artifactStoreReadWrite, bucketAndObjects, keyViaService, type StatementInput } from "../shared";

/**
 * The ECS agent's own permissions on the instances (register with the cluster, pull from ECR, ship
 * container logs). Several of its calls (ecs:DiscoverPollEndpoint, ecr:GetAuthorizationToken,
 * ecs:CreateCluster) have no resource-level permissions, so a scoped copy would still need "*"
 * resources; the AWS-maintained policy tracks the agent's needs across AMI releases.
 */
export const ECS_INSTANCE_MANAGED_POLICY = "service-role/AmazonEC2ContainerServiceforEC2Role";

/** Where the job role's ARNs live; account and region come from the stack's provider. */
export interface JobRoleScope {
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** The environment, for the SSM path `/ml-platform/<env>`. */
    readonly ssmRoot: string;
    /** The CloudWatch log group Batch jobs write to. */
    readonly logGroupName: string;
}

export interface JobRoleGrants {
    readonly artifactBucketArn: pulumi.Input<string>;
    readonly artifactKmsKeyArn: pulumi.Input<string>;
    /** The A01 data lake, read-only, when this stack references one. */
    readonly dataLake?: { readonly rawBucketArn: pulumi.Input<string>; readonly curatedBucketArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
    /** Customer-managed key of the platform's SecureString parameters, when they do not use aws/ssm. */
    readonly parameterKmsKeyArn?: pulumi.Input<string>;
}

/** The statements of the job role's inline policy. */
export function jobRoleStatements(grants: JobRoleGrants, scope: JobRoleScope): StatementInput[] {
    const statements: StatementInput[] = artifactStoreReadWrite(grants.artifactBucketArn, grants.artifactKmsKeyArn, scope.region);
    if (grants.dataLake) {
        const lake = grants.dataLake;
        statements.push(
            {
                Sid: "DataLakeRead",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"],
                Resource: pulumi.all([bucketAndObjects(lake.curatedBucketArn), bucketAndObjects(lake.rawBucketArn)]).apply(([curated, raw]) => [...curated, ...raw]),
            },
            keyViaService("DataLakeKey", lake.kmsKeyArn, ["kms:Decrypt"], "s3", scope.region),
        );
    }
    const parameters = pulumi.interpolate`arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:parameter${scope.ssmRoot}`;
    statements.push({
        Sid: "PlatformParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
        // GetParametersByPath authorizes against the path itself, the others against each parameter.
        Resource: [parameters, pulumi.interpolate`${parameters}/*`],
    });
    if (grants.parameterKmsKeyArn) {
        statements.push(keyViaService("PlatformParametersKey", grants.parameterKmsKeyArn, ["kms:Decrypt"], "ssm", scope.region));
    }
    statements.push(
        {
            Sid: "JobLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${scope.logGroupName}:*`,
        },
        {
            Sid: "PublishModelDrift",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            // cloudwatch:PutMetricData has no resource-level permissions: "*" is the only resource IAM
            // accepts, so the namespace condition is what limits flows to the drift metric.
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": DRIFT_NAMESPACE } },
        },
    );
    return statements;
}
