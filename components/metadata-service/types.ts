/**
 * The settings of the metadata service's parts, shared by the component args and the stack config
 * (one source for both). Everything here is plain data; outputs only enter through the component args.
 */
import type { DbEngine } from "./catalog";

export interface ServerlessCapacity {
    /** Fewest Aurora capacity units; 0 lets an idle cluster pause (Aurora PostgreSQL 16.3+). */
    readonly minCapacity: number;
    /** Most Aurora capacity units. */
    readonly maxCapacity: number;
    /** Idle seconds before a cluster at 0 ACU pauses. @default 900 */
    readonly secondsUntilAutoPause?: number;
}

export interface DatabaseSettings {
    readonly engine: DbEngine;
    /** `major.minor`, e.g. `17.5`; minor upgrades go through config so state matches the database. */
    readonly version: string;
    /** Instance class (RDS for PostgreSQL, or provisioned Aurora); absent for Aurora Serverless v2. */
    readonly instanceClass?: string;
    /** Aurora Serverless v2 capacity; only with `aurora-postgresql` and without `instanceClass`. */
    readonly serverless?: ServerlessCapacity;
    /** A standby (RDS) or a reader in a second zone (Aurora) that takes over on failure. */
    readonly multiAz: boolean;
    /** Days of automated backups (point-in-time recovery window), 1 to 35. */
    readonly backupRetentionDays: number;
    /** Allocated storage in GiB (RDS for PostgreSQL only; Aurora storage grows by itself). @default 20 */
    readonly storageGb?: number;
    /** Storage autoscaling ceiling in GiB (RDS for PostgreSQL only). @default no autoscaling */
    readonly maxStorageGb?: number;
    /** RDS refuses to delete the database while this is on. */
    readonly deletionProtection: boolean;
    /** Take a snapshot when the database is deleted. */
    readonly finalSnapshot: boolean;
}

/** HTTPS on a load balancer: the ACM certificate and the name it is issued for. */
export interface TlsSettings {
    readonly certificateArn: string;
    /** The DNS name clients use; the certificate must cover it. */
    readonly domainName: string;
    /** A Route 53 zone in which to create the alias record for `domainName`. @default no record */
    readonly hostedZoneId?: string;
}

export type ApiEndpointType = "REGIONAL" | "PRIVATE";

export interface ApiGatewaySettings {
    /** REGIONAL (reachable from the internet, narrowed by `allowedCidrs`) or PRIVATE (VPC endpoints only). */
    readonly endpointType: ApiEndpointType;
    /** Source CIDRs allowed to call the API (resource policy); empty allows any source. */
    readonly allowedCidrs: readonly string[];
    /** execute-api interface endpoints allowed to reach a PRIVATE API. */
    readonly vpcEndpointIds: readonly string[];
    /** Stage name: the last path segment of the URL. @default "api" */
    readonly stageName: string;
    /** Steady requests per second per API key (usage plan throttle). */
    readonly rateLimit: number;
    /** Burst of requests per API key above the steady rate. */
    readonly burstLimit: number;
}

export interface CognitoAuth {
    readonly type: "cognito";
    readonly userPoolArn: string;
    readonly userPoolClientId: string;
    /** The user pool's domain prefix (or custom domain). */
    readonly userPoolDomain: string;
}

export interface OidcAuthSettings {
    readonly type: "oidc";
    readonly issuer: string;
    readonly authorizationEndpoint: string;
    readonly tokenEndpoint: string;
    readonly userInfoEndpoint: string;
    readonly clientId: string;
}

export interface UiSettings {
    /** Internet-facing load balancer (then `auth`, `allowedCidrs` and `publicSubnetIds` are required). */
    readonly public: boolean;
    /** The static UI image (nginx serving the Metaflow UI), pinned. */
    readonly staticImage: string;
    /** The UI backend image; the metadata service image runs the UI backend command. */
    readonly backendImage: string;
    readonly backendCpu: number;
    readonly backendMemory: number;
    readonly desiredCount: number;
    /** HTTPS is the only listener on the UI load balancer. */
    readonly tls: TlsSettings;
    /** Sources allowed to reach the UI (besides the VPC when internal). */
    readonly allowedCidrs: readonly string[];
    /** Public subnets for an internet-facing load balancer. */
    readonly publicSubnetIds: readonly string[];
}
