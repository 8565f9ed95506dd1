import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformNetwork } from "../network";
import { keepOptions, logsKeyPolicy, type DataProtectionArgs } from "../shared";
import { MetadataApiGateway } from "./api-gateway";
import { aliasRecord, allowAwsApis, allowIn, allowOut, encryptedLogGroup, fargateService, fargateTaskDefinition, ipTargetGroup, securityGroup, serviceRole, TLS_POLICY } from "./building-blocks";
import { describeFargateMemory, isFargateSize } from "./catalog";
import { METADATA_CONTAINER, METADATA_PORT, metadataContainer, migrationContainer, type DbConnection } from "./containers";
import { DB_PORT, MetadataDatabase } from "./database";
import { executionRoleStatements, type Datastore } from "./iam";
import { MigrationRunner, restartOnRotation } from "./runner";
import type { ApiGatewaySettings, DatabaseSettings, TlsSettings, UiSettings } from "./types";
import { MetadataUi, type UiAuth } from "./ui";

export interface MetadataUiOptions extends UiSettings {
    /** Sign-in on the UI listener; required when `public`. @default none */
    readonly auth?: UiAuth;
    /** The datastore the UI backend reads artifacts from. */
    readonly datastore: Datastore;
}

/** `protect` and `retainOnDelete` keep the database, its key and its security group. */
export interface MetadataServiceArgs extends DataProtectionArgs {
    /** The VPC and the private subnets (two or more zones) everything runs in. */
    readonly network: PlatformNetwork;
    /** The Metaflow metadata service image, pinned to a version. */
    readonly image: string;
    /** Fargate CPU units per task. @default 512 */
    readonly cpu?: number;
    /** Fargate memory (MiB) per task; must suit `cpu`. @default 1024 */
    readonly memory?: number;
    /** Running tasks; ECS spreads them over the subnets' zones. @default 1 */
    readonly desiredCount?: number;
    /** Run the service on Fargate Spot (interruptible). @default false */
    readonly fargateSpot?: boolean;
    /** CloudWatch Container Insights on the ECS cluster. @default true */
    readonly containerInsights?: boolean;
    /** Days the service, UI and runner logs are kept. @default 30 */
    readonly logRetentionDays?: number;
    /** HTTPS on the internal load balancer. @default HTTP on port 80 */
    readonly tls?: TlsSettings;
    readonly database: DatabaseSettings;
    /** A REST API with API keys in front of the load balancer. @default none */
    readonly apiGateway?: ApiGatewaySettings;
    /** The Metaflow UI. @default none */
    readonly ui?: MetadataUiOptions;
    /** Days a deleted KMS key waits before it is gone. @default 30 */
    readonly keyDeletionWindowDays?: number;
}

/**
 * Metaflow's metadata service: PostgreSQL (RDS or Aurora), the service on Fargate behind an internal
 * load balancer, the schema migration run once per deploy inside the VPC, and optionally an API
 * Gateway with API keys and the Metaflow UI. One KMS key encrypts the database, its secret and the logs.
 */
export class MetadataService extends pulumi.ComponentResource {
    /** METAFLOW_SERVICE_URL: the API Gateway URL when there is one, else `internalServiceUrl`. */
    public readonly serviceUrl: pulumi.Output<string>;
    /** METAFLOW_SERVICE_INTERNAL_URL: the internal load balancer, for tasks inside the VPC. */
    public readonly internalServiceUrl: pulumi.Output<string>;
    /** METAFLOW_SERVICE_AUTH_KEY (secret), with API Gateway only. */
    public readonly apiKey?: pulumi.Output<string>;
    public readonly uiUrl?: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly ecsClusterName: pulumi.Output<string>;
    public readonly ecsServiceName: pulumi.Output<string>;
    public readonly dbIdentifier: pulumi.Output<string>;
    public readonly dbSecretArn: pulumi.Output<string>;
    /** The service tasks' security group. */
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: MetadataServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:metadata:MetadataService", name, {}, opts);
        const cpu = args.cpu ?? 512;
        const memory = args.memory ?? 1024;
        if (!isFargateSize(cpu, memory)) throw new pulumi.ResourceError(`Fargate does not offer ${cpu} CPU with ${memory} MiB; ${cpu} CPU takes ${describeFargateMemory(cpu)}`, this);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const keep = keepOptions(this, args);
        const net = args.network;
        const retention = args.logRetentionDays ?? 30;
        const logPrefix = `/ml-platform/${name}/`;

        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Metaflow metadata database, secret and logs (${name})`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                policy: pulumi.all([identity.arn, identity.accountId, region]).apply(([arn, accountId, r]) => logsKeyPolicy({ partition: arn.split(":")[1], accountId, region: r }, logPrefix)),
            },
            keep,
        );

        // Traffic path: clients in the VPC → load balancer → service tasks → database, nothing else.
        const listenerPort = args.tls ? 443 : 80;
        const lbSg = securityGroup(`${name}-lb`, net.vpcId, "Metaflow metadata internal load balancer", child);
        const serviceSg = securityGroup(`${name}-service`, net.vpcId, "Metaflow metadata service tasks and their schema migration", child);
        // Kept with the database: a retained database's network interfaces would block its deletion.
        const dbSg = securityGroup(`${name}-db`, net.vpcId, "Metaflow metadata database", keep);
        allowIn(`${name}-lb-from-vpc`, lbSg.id, listenerPort, { cidr: net.vpcCidrBlock }, "Metaflow clients in the VPC", child);
        allowOut(`${name}-lb-to-service`, lbSg.id, METADATA_PORT, { securityGroupId: serviceSg.id }, "Metadata API tasks", child);
        allowIn(`${name}-service-from-lb`, serviceSg.id, METADATA_PORT, { securityGroupId: lbSg.id }, "Internal load balancer", child);
        const toDb = allowOut(`${name}-service-to-db`, serviceSg.id, DB_PORT, { securityGroupId: dbSg.id }, "Metadata database", child);
        const toApis = allowAwsApis(`${name}-service`, serviceSg.id, child);
        const dbFromService = allowIn(`${name}-db-from-service`, dbSg.id, DB_PORT, { securityGroupId: serviceSg.id }, "Metaflow metadata service", child);

        const db = new MetadataDatabase(
            `${name}-db`,
            {
                ...args.database,
                subnetIds: net.privateSubnetIds,
                availabilityZones: net.availabilityZones,
                securityGroupId: dbSg.id,
                kmsKeyArn: key.arn,
                protect: args.protect,
                retainOnDelete: args.retainOnDelete,
            },
            { parent: this },
        );
        const connection: DbConnection = { host: db.host, port: db.port, name: db.databaseName, secretArn: db.secretArn };

        const cluster = new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: (args.containerInsights ?? true) ? "enabled" : "disabled" }] }, child);
        const capacity = new aws.ecs.ClusterCapacityProviders(`${name}-capacity`, { clusterName: cluster.name, capacityProviders: ["FARGATE", "FARGATE_SPOT"] }, child);

        const logs = encryptedLogGroup(`${name}-logs`, `${logPrefix}service`, retention, key.arn, child);
        const execution = serviceRole(
            `${name}-execution`,
            "ecs-tasks.amazonaws.com",
            executionRoleStatements({ logGroupArn: logs.arn, images: [args.image], region, dbSecret: { arn: db.secretArn, kmsKeyArn: key.arn } }),
            child,
        );
        // The service reaches only its database, never an AWS API: its task role carries no permissions.
        const task = serviceRole(`${name}-task`, "ecs-tasks.amazonaws.com", [], child);
        const log = (streamPrefix: string) => ({ group: logs.name, region, streamPrefix });
        const serviceDefinition = fargateTaskDefinition(
            `${name}-service-task`,
            { family: `${name}-service`, cpu, memory, containers: [metadataContainer(args.image, connection, log("service"))], executionRoleArn: execution.arn, taskRoleArn: task.arn },
            child,
        );
        const migrationDefinition = fargateTaskDefinition(
            `${name}-migrate-task`,
            { family: `${name}-migrate`, cpu: 256, memory: 512, containers: [migrationContainer(args.image, connection, log("migrate"))], executionRoleArn: execution.arn, taskRoleArn: task.arn },
            child,
        );

        const lb = new aws.lb.LoadBalancer(
            `${name}-api-lb`,
            { loadBalancerType: "application", internal: true, subnets: net.privateSubnetIds, securityGroups: [lbSg.id], dropInvalidHeaderFields: true },
            child,
        );
        const targetGroup = ipTargetGroup(`${name}-api-tg`, net.vpcId, METADATA_PORT, "/ping", child);
        const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
        const listener = new aws.lb.Listener(
            `${name}-api-listener`,
            args.tls
                ? { loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", certificateArn: args.tls.certificateArn, sslPolicy: TLS_POLICY, defaultActions: forward }
                : { loadBalancerArn: lb.arn, port: 80, protocol: "HTTP", defaultActions: forward },
            child,
        );
        if (args.tls?.hostedZoneId) aliasRecord(`${name}-dns`, args.tls.hostedZoneId, args.tls.domainName, lb, child);
        this.internalServiceUrl = args.tls ? pulumi.output(`https://${args.tls.domainName}`) : pulumi.interpolate`http://${lb.dnsName}`;

        const subnets = { subnetIds: net.privateSubnetIds, securityGroupId: serviceSg.id };
        const runner = new MigrationRunner(
            `${name}-runner`,
            {
                ...subnets,
                clusterArn: cluster.arn,
                taskDefinitionArn: migrationDefinition.arn,
                taskDefinitionFamilyArn: migrationDefinition.arnWithoutRevision,
                taskRoleArns: [execution.arn, task.arn],
                taskLogGroupName: logs.name,
                logGroupName: `${logPrefix}runner`,
                logRetentionDays: retention,
                kmsKeyArn: key.arn,
                prerequisites: [db, toDb, toApis, dbFromService, ...execution.granted],
            },
            { parent: this },
        );
        const service = fargateService(
            `${name}-service`,
            {
                clusterArn: cluster.arn,
                taskDefinitionArn: serviceDefinition.arn,
                desiredCount: args.desiredCount ?? 1,
                subnetIds: net.privateSubnetIds,
                securityGroupIds: [serviceSg.id],
                targetGroupArn: targetGroup.arn,
                containerName: METADATA_CONTAINER,
                containerPort: METADATA_PORT,
                spot: args.fargateSpot ?? false,
            },
            { parent: this, dependsOn: [listener, runner, capacity] },
        );

        if (args.apiGateway) {
            const gateway = new MetadataApiGateway(
                `${name}-gateway`,
                {
                    ...args.apiGateway,
                    vpcId: net.vpcId,
                    subnetIds: net.privateSubnetIds,
                    loadBalancerArn: lb.arn,
                    loadBalancerSecurityGroupId: lbSg.id,
                    listenerPort,
                    backendUrl: this.internalServiceUrl,
                },
                { parent: this, dependsOn: [listener] },
            );
            this.apiKey = gateway.apiKey;
            this.serviceUrl = gateway.url;
        } else {
            this.serviceUrl = this.internalServiceUrl;
        }

        const restarted = [service];
        if (args.ui) {
            const ui = new MetadataUi(
                `${name}-ui`,
                {
                    ...args.ui,
                    vpcId: net.vpcId,
                    vpcCidrBlock: net.vpcCidrBlock,
                    privateSubnetIds: net.privateSubnetIds,
                    clusterArn: cluster.arn,
                    db: connection,
                    dbSecurityGroupId: dbSg.id,
                    dbSecretKmsKeyArn: key.arn,
                    region,
                    logGroupName: `${logPrefix}ui`,
                    logRetentionDays: retention,
                    logKmsKeyArn: key.arn,
                    spot: args.fargateSpot,
                    prerequisites: [runner, capacity],
                },
                { parent: this },
            );
            restarted.push(ui.backendService);
            this.uiUrl = ui.url;
        }
        restartOnRotation(`${name}-rotation`, { runner, secretArn: db.secretArn, clusterArn: cluster.arn, services: restarted }, child);

        this.loadBalancerArnSuffix = lb.arnSuffix;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.ecsClusterName = cluster.name;
        this.ecsServiceName = service.name;
        this.dbIdentifier = db.identifier;
        this.dbSecretArn = db.secretArn;
        this.securityGroupId = serviceSg.id;
        this.kmsKeyArn = key.arn;
        this.logGroupName = logs.name;
        this.registerOutputs({
            serviceUrl: this.serviceUrl,
            internalServiceUrl: this.internalServiceUrl,
            apiKey: this.apiKey,
            uiUrl: this.uiUrl,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            ecsClusterName: this.ecsClusterName,
            ecsServiceName: this.ecsServiceName,
            dbIdentifier: this.dbIdentifier,
            dbSecretArn: this.dbSecretArn,
            securityGroupId: this.securityGroupId,
            kmsKeyArn: this.kmsKeyArn,
            logGroupName: this.logGroupName,
        });
    }
}
