/**
 * The job role's permissions: what a Metaflow step may touch, and nothing else. Every statement is
 * scoped to the ARNs it needs; KMS use is further limited to calls made through S3 or SSM, and
 * metric publishing to the model drift namespace (docs/monitoring.md). The orchestrator adds the
 * foreach state table (components/orchestrator).
 */
import * as pulumi from "@pulumi/pulumi";
import { DRIFT_NAMESPACE } from "../monitoring/metrics";
import { artifactStoreReadWrite, bucketAndObjects, keyViaService, type StatementInput } from "../shared";

/**
 * The ECS agent's own permissions on the instances (register with the cluster, pull from ECR, ship
 * container logs through the awslogs driver). Several of its calls (ecs:DiscoverPollEndpoint,
 * ecr:GetAuthorizationToken, ecs:CreateCluster) have no resource-level permissions, so a scoped copy
 * would still need "*" resources; the AWS-maintained policy tracks the agent's needs across AMI
 * releases. Containers can reach this role through IMDS (see METADATA_HOP_LIMIT), so nothing else may
 * ever be attached to it: whatever a job needs goes on the job role.
 */
export const ECS_INSTANCE_MANAGED_POLICY = "service-role/AmazonEC2ContainerServiceforEC2Role";

/** Where the job role's ARNs live; account and region come from the stack's provider. */
export interface JobRoleScope {
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** The environment, for the SSM path `/ml-platform/<env>`. */
    readonly ssmRoot: string;
}

export interface JobRoleGrants {
    readonly artifactBucketArn: pulumi.Input<string>;
    readonly artifactKmsKeyArn: pulumi.Input<string>;
    /** The A01 data lake, read-only (its buckets and its Glue database), when this stack references one. */
    readonly dataLake?: {
        readonly rawBucketArn: pulumi.Input<string>;
        readonly curatedBucketArn: pulumi.Input<string>;
        readonly kmsKeyArn: pulumi.Input<string>;
        /** The Glue catalog database of the lake's tables, in this account and region. */
        readonly glueDatabaseName: pulumi.Input<string>;
    };
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
            {
                Sid: "DataLakeCatalogRead",
                Effect: "Allow",
                Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
                // Glue authorizes a table read against the catalog, the database and the table alike.
                Resource: glueDatabaseArns(scope, lake.glueDatabaseName),
            },
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
    // No CloudWatch Logs grant: the awslogs driver ships a job's output with the instance role (the
    // ECS agent), and Metaflow's own task logs go to the datastore.
    statements.push({
        Sid: "PublishModelDrift",
        Effect: "Allow",
        Action: "cloudwatch:PutMetricData",
        // cloudwatch:PutMetricData has no resource-level permissions: "*" is the only resource IAM
        // accepts, so the namespace condition is what limits flows to the drift metric.
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": DRIFT_NAMESPACE } },
    });
    return statements;
}

/** The account's Glue catalog, one database in it and that database's tables. */
function glueDatabaseArns(scope: JobRoleScope, database: pulumi.Input<string>): pulumi.Output<string[]> {
    const catalog = pulumi.interpolate`arn:${scope.partition}:glue:${scope.region}:${scope.accountId}`;
    return pulumi.all([catalog, database]).apply(([c, db]) => [`${c}:catalog`, `${c}:database/${db}`, `${c}:table/${db}/*`]);
}
