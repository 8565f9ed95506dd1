import * as aws from "@pulumi/aws";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../shared";
import { encryptedLogGroup, serviceRole } from "./building-blocks";
import { MIGRATION_CONTAINER } from "./containers";
import { migrationRunnerStatements, redeployStatements } from "./iam";

export interface MigrationRunnerArgs {
    readonly clusterArn: pulumi.Input<string>;
    /** The migration task definition (revision): a new revision, e.g. a new image, runs it again. */
    readonly taskDefinitionArn: pulumi.Input<string>;
    /** The same task definition without its revision, for the RunTask permission. */
    readonly taskDefinitionFamilyArn: pulumi.Input<string>;
    /** The migration task's execution and task roles. */
    readonly taskRoleArns: pulumi.Input<string>[];
    /** Private subnets and security group the one-off task runs in (the service's). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupId: pulumi.Input<string>;
    /** Where the migration task logs, named in the error a failed migration raises. */
    readonly taskLogGroupName: pulumi.Input<string>;
    /** The runner's own log group name, its retention and encryption key. */
    readonly logGroupName: string;
    readonly logRetentionDays: number;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** What the migration task needs before it can start and reach the database (its roles' grants, network rules, the database). */
    readonly prerequisites?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Upgrades the metadata schema on deploy, inside the VPC: a small Lambda starts the migration as a
 * one-off Fargate task in the service's private subnets and fails unless it exits 0. Pulumi invokes
 * it once per migration task revision, before the service rolls out; the migration port of the
 * running service is never exposed. The Lambda itself only calls the ECS API, so it runs outside the
 * VPC and needs no network path of its own.
 */
export class MigrationRunner extends pulumi.ComponentResource {
    public readonly functionArn: pulumi.Output<string>;
    public readonly functionName: pulumi.Output<string>;
    /** The runner's role, for permissions granted once the services it restarts exist. */
    public readonly roleName: pulumi.Output<string>;
    /** The migration of the current revision; the service waits for it. */
    public readonly migration: aws.lambda.Invocation;

    constructor(name: string, args: MigrationRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:metadata:MigrationRunner", name, {}, opts);
        const child: pulumi.CustomResourceOptions = { parent: this };

        const logs = encryptedLogGroup(`${name}-logs`, args.logGroupName, args.logRetentionDays, args.kmsKeyArn, child);
        const role = serviceRole(
            name,
            "lambda.amazonaws.com",
            migrationRunnerStatements({
                clusterArn: args.clusterArn,
                taskDefinitionFamilyArn: args.taskDefinitionFamilyArn,
                passRoleArns: args.taskRoleArns,
                logGroupArn: logs.arn,
            }),
            child,
        );
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                description: "Runs the metadata schema migration as a one-off ECS task; restarts the services after password rotation",
                runtime: aws.lambda.Runtime.Python3d13,
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.py": new pulumi.asset.FileAsset(path.join(__dirname, "runner", "index.py")) }),
                role: role.arn,
                // Lambda's maximum: a task start plus the migrations must fit.
                timeout: 900,
                memorySize: 128,
                loggingConfig: { logFormat: "Text", logGroup: logs.name },
            },
            child,
        );

        const input = pulumi.jsonStringify({
            action: "migrate",
            cluster: args.clusterArn,
            taskDefinition: args.taskDefinitionArn,
            container: MIGRATION_CONTAINER,
            subnets: args.subnetIds,
            securityGroups: [args.securityGroupId],
            logGroup: args.taskLogGroupName,
        });
        // The input names the task definition revision, so every new revision re-invokes (CREATE_ONLY
        // re-runs on replacement, and a changed input replaces the invocation).
        this.migration = new aws.lambda.Invocation(
            `${name}-migrate`,
            { functionName: fn.name, input, lifecycleScope: "CREATE_ONLY" },
            // The function's role must hold its policy before the first call; the prerequisites
            // include what the migration task itself needs (its execution role's secret grant).
            { parent: this, dependsOn: [...role.granted, ...(args.prerequisites ?? [])] },
        );

        this.functionArn = fn.arn;
        this.functionName = fn.name;
        this.roleName = role.name;
        this.registerOutputs({ functionArn: this.functionArn, functionName: this.functionName, roleName: this.roleName });
    }
}

export interface RestartOnRotationArgs {
    readonly runner: MigrationRunner;
    /** The RDS-managed secret whose rotation restarts the services. */
    readonly secretArn: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    readonly services: readonly aws.ecs.Service[];
}

/**
 * RDS rotates the managed master password (every 7 days by default). Running tasks keep the password
 * they read at start, so after each rotation the services start new tasks, which read the new one.
 */
export function restartOnRotation(name: string, args: RestartOnRotationArgs, opts: pulumi.CustomResourceOptions): void {
    new aws.iam.RolePolicy(`${name}-policy`, { role: args.runner.roleName, policy: policyJson(redeployStatements(args.services.map((s) => s.arn))) }, opts);
    const rule = new aws.cloudwatch.EventRule(
        `${name}-rule`,
        {
            description: "Database password rotated: restart the metadata services",
            eventPattern: pulumi.jsonStringify({
                source: ["aws.secretsmanager"],
                "detail-type": ["AWS Service Event via CloudTrail"],
                detail: { eventSource: ["secretsmanager.amazonaws.com"], eventName: ["RotationSucceeded"], additionalEventData: { SecretId: [args.secretArn] } },
            }),
        },
        opts,
    );
    new aws.lambda.Permission(`${name}-invoke`, { action: "lambda:InvokeFunction", function: args.runner.functionName, principal: "events.amazonaws.com", sourceArn: rule.arn }, opts);
    new aws.cloudwatch.EventTarget(
        `${name}-target`,
        {
            rule: rule.name,
            arn: args.runner.functionArn,
            input: pulumi.jsonStringify({ action: "redeploy", cluster: args.clusterArn, services: args.services.map((s) => s.name) }),
        },
        opts,
    );
}
