import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keepOptions, type DataProtectionArgs } from "../shared";
import { parameterGroupFamily } from "./catalog";
import type { DatabaseSettings } from "./types";

export const DB_PORT = 5432;
export const DB_NAME = "metaflow";
export const DB_MASTER_USER = "metaflow";

/** `protect` and `retainOnDelete` keep the database and what it stands on (subnet and parameter groups). */
export interface MetadataDatabaseArgs extends DatabaseSettings, DataProtectionArgs {
    /** Private subnets of the DB subnet group, in at least two zones. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Zones for Aurora instances: the writer in the first, a reader in the second. */
    readonly availabilityZones: pulumi.Input<string[]>;
    /** The database's security group (its ingress rules live with the clients). */
    readonly securityGroupId: pulumi.Input<string>;
    /** Encrypts storage, snapshots and the master user secret. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * The metadata database: RDS for PostgreSQL or Aurora PostgreSQL, KMS-encrypted, in private subnets,
 * TLS forced, with a master password that RDS generates, keeps and rotates in Secrets Manager (it is
 * never in config, state or the task environment).
 */
export class MetadataDatabase extends pulumi.ComponentResource {
    /** The writer's host name (no port). */
    public readonly host: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly databaseName: pulumi.Output<string>;
    /** The RDS instance or Aurora cluster identifier. */
    public readonly identifier: pulumi.Output<string>;
    /** The RDS-managed secret holding `username` and `password`. */
    public readonly secretArn: pulumi.Output<string>;

    constructor(name: string, args: MetadataDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:metadata:Database", name, {}, opts);
        const provisioned = args.instanceClass !== undefined;
        const serverless = args.serverless !== undefined;
        if (args.engine === "postgres" ? !provisioned || serverless : provisioned === serverless) {
            throw new pulumi.ResourceError(`${args.engine} needs ${args.engine === "postgres" ? "an instanceClass" : "either an instanceClass or serverless capacity"}`, this);
        }
        // What the database stands on (subnet and parameter groups) is kept with it: a retained
        // database would otherwise block their deletion and fail the destroy.
        const keep = keepOptions(this, args);
        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { description: `Private subnets of ${name}`, subnetIds: args.subnetIds }, keep);

        // Identifier of the last snapshot; fixed, so a second delete under the same name needs the
        // earlier snapshot renamed or removed first (RDS refuses to overwrite it).
        const deletion = {
            deletionProtection: args.deletionProtection,
            skipFinalSnapshot: !args.finalSnapshot,
            finalSnapshotIdentifier: args.finalSnapshot ? `${name}-final` : undefined,
        };
        const common = {
            engine: args.engine,
            engineVersion: args.version,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [args.securityGroupId],
            storageEncrypted: true,
            kmsKeyId: args.kmsKeyArn,
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.kmsKeyArn,
            backupRetentionPeriod: args.backupRetentionDays,
            copyTagsToSnapshot: true,
            port: DB_PORT,
            ...deletion,
        };
        // rds.force_ssl refuses every connection that does not use TLS, from any client.
        const forceSsl = [{ name: "rds.force_ssl", value: "1" }];
        const family = parameterGroupFamily(args.engine, args.version);

        if (args.engine === "postgres") {
            const parameters = new aws.rds.ParameterGroup(`${name}-params`, { family, description: `TLS-only ${family} (${name})`, parameters: forceSsl }, keep);
            const instance = new aws.rds.Instance(
                `${name}-instance`,
                {
                    ...common,
                    instanceClass: args.instanceClass!,
                    dbName: DB_NAME,
                    username: DB_MASTER_USER,
                    parameterGroupName: parameters.name,
                    multiAz: args.multiAz,
                    publiclyAccessible: false,
                    allocatedStorage: args.storageGb ?? 20,
                    maxAllocatedStorage: args.maxStorageGb,
                    storageType: "gp3",
                    // Minor versions move through config: an automatic upgrade would leave the
                    // configured version behind and the next update would try to downgrade.
                    autoMinorVersionUpgrade: false,
                    deleteAutomatedBackups: !args.finalSnapshot,
                },
                keep,
            );
            this.host = instance.address;
            this.identifier = instance.identifier;
            this.secretArn = instance.masterUserSecrets.apply((s) => s[0].secretArn);
        } else {
            const parameters = new aws.rds.ClusterParameterGroup(`${name}-params`, { family, description: `TLS-only ${family} (${name})`, parameters: forceSsl }, keep);
            const cluster = new aws.rds.Cluster(
                `${name}-cluster`,
                {
                    ...common,
                    engineMode: "provisioned",
                    databaseName: DB_NAME,
                    masterUsername: DB_MASTER_USER,
                    dbClusterParameterGroupName: parameters.name,
                    serverlessv2ScalingConfiguration: args.serverless && {
                        minCapacity: args.serverless.minCapacity,
                        maxCapacity: args.serverless.maxCapacity,
                        secondsUntilAutoPause: args.serverless.minCapacity === 0 ? (args.serverless.secondsUntilAutoPause ?? 900) : undefined,
                    },
                },
                keep,
            );
            // Multi-AZ on Aurora is a reader in a second zone that RDS promotes on failure.
            const zones = pulumi.output(args.availabilityZones);
            for (const [i, role] of (args.multiAz ? ["writer", "reader"] : ["writer"]).entries()) {
                new aws.rds.ClusterInstance(
                    `${name}-${role}`,
                    {
                        clusterIdentifier: cluster.id,
                        engine: args.engine,
                        engineVersion: args.version,
                        instanceClass: args.instanceClass ?? "db.serverless",
                        dbSubnetGroupName: subnetGroup.name,
                        availabilityZone: zones.apply((z) => z[i % z.length]),
                        publiclyAccessible: false,
                        autoMinorVersionUpgrade: false,
                        promotionTier: i,
                    },
                    keep,
                );
            }
            this.host = cluster.endpoint;
            this.identifier = cluster.clusterIdentifier;
            this.secretArn = cluster.masterUserSecrets.apply((s) => s[0].secretArn);
        }
        this.port = pulumi.output(DB_PORT);
        this.databaseName = pulumi.output(DB_NAME);
        this.registerOutputs({ host: this.host, port: this.port, databaseName: this.databaseName, identifier: this.identifier, secretArn: this.secretArn });
    }
}
