/**
 * The metadata service's permissions, each scoped to the one log group, secret, key, cluster or
 * role it is about. Built from components/shared so that tests and policies read one JSON shape.
 */
import * as pulumi from "@pulumi/pulumi";
import { keyViaService, type StatementInput } from "../shared";

const PRIVATE_ECR = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/;

/** The ECR repository ARN of a private-registry image, or undefined for any other registry. */
export function ecrRepositoryArn(image: string): string | undefined {
    const m = PRIVATE_ECR.exec(image);
    if (!m) return undefined;
    const [, account, region, china, repository] = m;
    const partition = china ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}

/** Pulling from private ECR repositories; public registries (public.ecr.aws) need no permission. */
export function imagePullStatements(images: readonly string[]): StatementInput[] {
    const repositories = [...new Set(images.map(ecrRepositoryArn).filter((a): a is string => a !== undefined))];
    if (repositories.length === 0) return [];
    return [
        // ecr:GetAuthorizationToken has no resource-level permissions: "*" is the only resource it takes.
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "PullImages", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: repositories },
    ];
}

export interface ExecutionRoleNeeds {
    readonly logGroupArn: pulumi.Input<string>;
    readonly images: readonly string[];
    readonly region: pulumi.Input<string>;
    /** The database secret the containers read through ECS `secrets`, and the key it is encrypted with. */
    readonly dbSecret?: { readonly arn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
}

/** What the ECS agent needs to start the task: pull the image, write its log group, read its secret. */
export function executionRoleStatements(needs: ExecutionRoleNeeds): StatementInput[] {
    const statements: StatementInput[] = [
        ...imagePullStatements(needs.images),
        { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${needs.logGroupArn}:log-stream:*` },
    ];
    if (needs.dbSecret) {
        statements.push(
            { Sid: "ReadDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: needs.dbSecret.arn },
            keyViaService("DecryptDatabaseSecret", needs.dbSecret.kmsKeyArn, "kms:Decrypt", "secretsmanager", needs.region),
        );
    }
    return statements;
}

export interface Datastore {
    /** `s3://bucket/prefix`: METAFLOW_DATASTORE_SYSROOT_S3. */
    readonly root: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    /** The key the bucket is encrypted with, when it is a customer-managed key. */
    readonly kmsKeyArn?: pulumi.Input<string>;
}

/** The UI backend reads artifacts, logs and cards from the datastore; it never writes. */
export function uiBackendTaskStatements(datastore: Datastore, region: pulumi.Input<string>): StatementInput[] {
    const statements: StatementInput[] = [
        { Sid: "ListDatastore", Effect: "Allow", Action: "s3:ListBucket", Resource: datastore.bucketArn },
        { Sid: "ReadDatastore", Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${datastore.bucketArn}/*` },
    ];
    if (datastore.kmsKeyArn) statements.push(keyViaService("DecryptDatastore", datastore.kmsKeyArn, "kms:Decrypt", "s3", region));
    return statements;
}

export interface MigrationRunnerNeeds {
    readonly clusterArn: pulumi.Input<string>;
    /** The migration task definition's family ARN (`...:task-definition/<family>`), any revision. */
    readonly taskDefinitionFamilyArn: pulumi.Input<string>;
    /** The migration task's execution and task roles, which RunTask hands to ECS. */
    readonly passRoleArns: pulumi.Input<string>[];
    readonly logGroupArn: pulumi.Input<string>;
}

/** Tasks of a cluster: `arn:aws:ecs:r:a:cluster/c` → `arn:aws:ecs:r:a:task/c/*`. */
export function clusterTasksArn(clusterArn: string): string {
    return `${clusterArn.replace(":cluster/", ":task/")}/*`;
}

/** The migration runner starts the migration task in this cluster, waits for it and logs. */
export function migrationRunnerStatements(needs: MigrationRunnerNeeds): StatementInput[] {
    return [
        {
            Sid: "RunMigrationTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: pulumi.interpolate`${needs.taskDefinitionFamilyArn}:*`,
            Condition: { ArnEquals: { "ecs:cluster": needs.clusterArn } },
        },
        { Sid: "WatchMigrationTask", Effect: "Allow", Action: "ecs:DescribeTasks", Resource: pulumi.output(needs.clusterArn).apply(clusterTasksArn) },
        {
            Sid: "PassMigrationTaskRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: needs.passRoleArns,
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        { Sid: "WriteRunnerLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${needs.logGroupArn}:log-stream:*` },
    ];
}

/** After the database password rotates, the runner restarts these services so new tasks read it. */
export function redeployStatements(serviceArns: pulumi.Input<string>[]): StatementInput[] {
    return [{ Sid: "RedeployAfterRotation", Effect: "Allow", Action: "ecs:UpdateService", Resource: serviceArns }];
}
