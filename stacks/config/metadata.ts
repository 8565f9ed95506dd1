/**
 * `ml-platform:metadata`: the Metaflow metadata service (image, task size and count), its database,
 * the optional API Gateway and the optional UI. Versions, classes and sizes are checked against what
 * AWS offers (components/metadata-service/catalog.ts), so a typo fails here with its key path.
 */
import {
    AUTO_PAUSE_SECONDS,
    DB_ENGINES,
    FARGATE_SIZES,
    SERVERLESS_MAX_ACU,
    describeFargateMemory,
    engineVersions,
    instanceClassesFor,
    isEngineVersion,
    isFargateSize,
    supportsAutoPause,
    type ApiGatewaySettings,
    type CognitoAuth,
    type DatabaseSettings,
    type DbEngine,
    type OidcAuthSettings,
    type ServerlessCapacity,
    type TlsSettings,
    type UiSettings,
} from "../../components/metadata-service";
import { LOG_RETENTION_DAYS } from "../../components/network/flow-logs";
import { parseCidr } from "../../components/network/subnets";
import type { BaseConfig } from "./base";
import type { ConfigNode, ConfigReader } from "./reader";

/** OIDC sign-in; the client secret stays in Secrets Manager and is read at deploy time. */
export interface OidcAuthConfig extends OidcAuthSettings {
    /** Secrets Manager secret (name or ARN) whose value is the OIDC client secret. */
    readonly clientSecretId: string;
}

export interface UiConfig extends UiSettings {
    readonly auth?: CognitoAuth | OidcAuthConfig;
}

export interface MetadataConfig {
    /** The metadata service image, pinned to a version. */
    readonly image: string;
    readonly cpu: number;
    readonly memory: number;
    readonly desiredCount: number;
    readonly fargateSpot: boolean;
    readonly containerInsights: boolean;
    readonly logRetentionDays: number;
    /** HTTPS on the internal load balancer; HTTP on port 80 without it. */
    readonly tls?: TlsSettings;
    readonly database: DatabaseSettings;
    /** Present only when enabled. */
    readonly apiGateway?: ApiGatewaySettings;
    /** Present only when enabled. */
    readonly ui?: UiConfig;
}

const KEYS = ["image", "cpu", "memory", "desiredCount", "fargateSpot", "containerInsights", "logRetentionDays", "tls", "database", "apiGateway", "ui"];
const DATABASE_KEYS = ["engine", "version", "instanceClass", "serverless", "multiAz", "backupRetentionDays", "storageGb", "maxStorageGb", "deletionProtection", "finalSnapshot"];
const SERVERLESS_KEYS = ["minCapacity", "maxCapacity", "secondsUntilAutoPause"];
const TLS_KEYS = ["certificateArn", "domainName", "hostedZoneId"];
const API_KEYS = ["enabled", "endpointType", "allowedCidrs", "vpcEndpointIds", "stageName", "rateLimit", "burstLimit"];
const UI_KEYS = ["enabled", "public", "staticImage", "backendImage", "backendCpu", "backendMemory", "desiredCount", "tls", "allowedCidrs", "publicSubnetIds", "auth"];
const COGNITO_KEYS = ["type", "userPoolArn", "userPoolClientId", "userPoolDomain"];
const OIDC_KEYS = ["type", "issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "clientId", "clientSecretId"];

/** `registry/repository:tag` or `@sha256:` digest; a moving tag like `latest` is not a pin. */
const PINNED_IMAGE = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:(?!latest$)[A-Za-z0-9][A-Za-z0-9._-]{0,127}|@sha256:[0-9a-f]{64})$/;
const PINNED_IMAGE_DESCRIPTION = "an image reference pinned to a version tag or digest (registry/repository:tag, not :latest)";
const CERTIFICATE_ARN = /^arn:aws(-[a-z]+)*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,32}$/;
const HTTPS_URL = /^https:\/\/[^\s/]+(\/\S*)?$/;

function image(node: ConfigNode, def?: string): string {
    return node.string({ default: def, pattern: PINNED_IMAGE, describe: PINNED_IMAGE_DESCRIPTION });
}

/** CPU and memory read together: Fargate offers fixed combinations. */
function fargateSize(cpuNode: ConfigNode, memoryNode: ConfigNode, defaults: { cpu: number; memory: number }): { cpu: number; memory: number } {
    const cpu = cpuNode.int({ default: defaults.cpu });
    if (!FARGATE_SIZES[cpu]) cpuNode.fail(`one of Fargate's CPU values: ${Object.keys(FARGATE_SIZES).join(", ")}`);
    const memory = memoryNode.int({ default: defaults.memory });
    if (FARGATE_SIZES[cpu] && !isFargateSize(cpu, memory)) memoryNode.fail(`a memory size Fargate offers with ${cpu} CPU: ${describeFargateMemory(cpu)}`);
    return { cpu, memory };
}

/** An IPv4 allow-list entry: a network address, narrower than the whole internet. */
function cidrList(node: ConfigNode): string[] {
    return node.list({ default: [] }).map((item) => {
        const cidr = item.string({ describe: "an IPv4 CIDR block" });
        try {
            if (parseCidr(cidr).prefix === 0) item.fail("a CIDR block narrower than 0.0.0.0/0 (an allow-list of everyone allows everyone)");
        } catch (e) {
            item.fail(`an IPv4 CIDR block (${(e as Error).message})`);
        }
        return cidr;
    });
}

function tls(node: ConfigNode, required: boolean): TlsSettings | undefined {
    node.object(TLS_KEYS, required);
    if (!node.present) return undefined;
    return {
        certificateArn: node.get("certificateArn").string({ pattern: CERTIFICATE_ARN, describe: "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" }),
        domainName: node.get("domainName").string({ pattern: DOMAIN_NAME, describe: "a lower-case DNS name the certificate covers" }),
        hostedZoneId: node.get("hostedZoneId").optionalString({ pattern: HOSTED_ZONE_ID, describe: "a Route 53 hosted zone id (Z...)" }),
    };
}

function serverless(node: ConfigNode, version: string): ServerlessCapacity {
    node.object(SERVERLESS_KEYS);
    const min = node.get("minCapacity");
    const minCapacity = min.number({ min: 0, max: SERVERLESS_MAX_ACU });
    const max = node.get("maxCapacity");
    const maxCapacity = max.number({ min: 1, max: SERVERLESS_MAX_ACU });
    for (const [n, v] of [[min, minCapacity], [max, maxCapacity]] as const) if (v * 2 !== Math.round(v * 2)) n.fail("a capacity in steps of 0.5 ACU");
    if (maxCapacity < minCapacity) max.fail(`a capacity >= minCapacity (${minCapacity})`);
    if (minCapacity === 0 && !supportsAutoPause(version)) min.fail(`at least 0.5: scaling to 0 ACU (auto-pause) needs Aurora PostgreSQL 16.3 or later, not ${version}`);
    const pause = node.get("secondsUntilAutoPause");
    if (pause.present && minCapacity !== 0) pause.fail("absent unless minCapacity is 0 (only a cluster that scales to 0 ACU pauses)");
    return { minCapacity, maxCapacity, secondsUntilAutoPause: pause.present ? pause.int({ min: AUTO_PAUSE_SECONDS.min, max: AUTO_PAUSE_SECONDS.max }) : undefined };
}

function database(node: ConfigNode, prod: boolean): DatabaseSettings {
    node.object(DATABASE_KEYS, true);
    const engine = node.get("engine").string({ oneOf: DB_ENGINES }) as DbEngine;
    const known = DB_ENGINES.includes(engine);
    const versionNode = node.get("version");
    const version = versionNode.string({ pattern: /^\d+\.\d+$/, describe: "a major.minor PostgreSQL version such as 17.6" });
    if (known && versionNode.present && !isEngineVersion(engine, version)) {
        versionNode.fail(`a ${engine} version in standard support: ${engineVersions(engine).join(", ")}`);
    }

    const classNode = node.get("instanceClass");
    const serverlessNode = node.get("serverless");
    const instanceClass = classNode.optionalString({ oneOf: known ? instanceClassesFor(engine) : undefined });
    if (engine === "postgres") {
        if (!classNode.present) classNode.fail(`an instance class for RDS for PostgreSQL: ${instanceClassesFor(engine).join(", ")}`);
        if (serverlessNode.present) serverlessNode.fail("absent: serverless capacity is for aurora-postgresql only");
    } else if (known && classNode.present === serverlessNode.present) {
        // Both given is reported at serverless, neither at serverless as missing.
        serverlessNode.fail("exactly one of instanceClass (provisioned Aurora) and serverless (Aurora Serverless v2 capacity)");
    }

    const storageNode = node.get("storageGb");
    const maxStorageNode = node.get("maxStorageGb");
    if (engine !== "postgres") {
        for (const n of [storageNode, maxStorageNode]) if (n.present) n.fail("absent: Aurora storage grows by itself");
    }
    const storageGb = engine === "postgres" ? storageNode.int({ default: 20, min: 20, max: 65536 }) : undefined;
    const maxStorageGb = engine === "postgres" && maxStorageNode.present ? maxStorageNode.int({ min: (storageGb ?? 20) + 1, max: 65536 }) : undefined;

    const settings: DatabaseSettings = {
        engine,
        version,
        instanceClass,
        serverless: engine !== "postgres" && serverlessNode.present ? serverless(serverlessNode, version) : undefined,
        multiAz: node.get("multiAz").bool({ default: false }),
        backupRetentionDays: node.get("backupRetentionDays").int({ default: 7, min: 1, max: 35 }),
        storageGb,
        maxStorageGb,
        deletionProtection: node.get("deletionProtection").bool({ default: prod }),
        finalSnapshot: node.get("finalSnapshot").bool({ default: prod }),
    };
    if (prod) {
        if (!settings.multiAz) node.get("multiAz").fail("true in prod: the metadata database must survive the loss of a zone");
        if (!settings.deletionProtection) node.get("deletionProtection").fail("true in prod: losing the metadata database loses every run's history");
        if (!settings.finalSnapshot) node.get("finalSnapshot").fail("true in prod: a deleted database must leave a snapshot");
    }
    return settings;
}

function apiGateway(node: ConfigNode, prod: boolean): ApiGatewaySettings | undefined {
    node.object(API_KEYS);
    if (!node.get("enabled").bool({ default: false })) return undefined;
    const endpointType = node.get("endpointType").string({ default: "REGIONAL", oneOf: ["REGIONAL", "PRIVATE"] }) as ApiGatewaySettings["endpointType"];
    const allowedCidrs = cidrList(node.get("allowedCidrs"));
    const endpointsNode = node.get("vpcEndpointIds");
    const vpcEndpointIds = endpointsNode.stringList({ default: [], pattern: /^vpce-[0-9a-f]{8,17}$/, describe: "an interface VPC endpoint id (vpce-...)" });
    if (endpointType === "PRIVATE" && vpcEndpointIds.length === 0) endpointsNode.fail("at least one execute-api VPC endpoint id for a PRIVATE API");
    if (endpointType !== "PRIVATE" && vpcEndpointIds.length > 0) endpointsNode.fail("absent unless endpointType is PRIVATE");
    if (prod && endpointType === "REGIONAL" && allowedCidrs.length === 0) {
        node.get("allowedCidrs").fail("at least one CIDR in prod for a REGIONAL API (or endpointType PRIVATE): the API must not be callable from the whole internet");
    }
    const rateLimit = node.get("rateLimit").number({ default: 50, min: 1, max: 10000 });
    const burst = node.get("burstLimit");
    const burstLimit = burst.int({ default: 100, min: 1, max: 5000 });
    if (burstLimit < rateLimit) burst.fail(`a burst >= rateLimit (${rateLimit})`);
    return {
        endpointType,
        allowedCidrs,
        vpcEndpointIds,
        stageName: node.get("stageName").string({ default: "api", pattern: /^[A-Za-z0-9_-]{1,128}$/, describe: "a stage name (letters, digits, - and _)" }),
        rateLimit,
        burstLimit,
    };
}

function auth(node: ConfigNode): CognitoAuth | OidcAuthConfig | undefined {
    if (!node.present) return undefined;
    const type = node.get("type").string({ oneOf: ["cognito", "oidc"] });
    if (type !== "cognito" && type !== "oidc") return undefined;
    if (type === "cognito") {
        node.object(COGNITO_KEYS);
        return {
            type,
            userPoolArn: node.get("userPoolArn").string({ pattern: /^arn:aws(-[a-z]+)*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/, describe: "a Cognito user pool ARN" }),
            userPoolClientId: node.get("userPoolClientId").string({ pattern: /^[a-z0-9]{1,128}$/, describe: "a Cognito app client id" }),
            userPoolDomain: node.get("userPoolDomain").string({ pattern: /^[a-z0-9.-]{1,253}$/, describe: "the user pool's domain prefix or custom domain" }),
        };
    }
    node.object(OIDC_KEYS);
    const url = (key: string) => node.get(key).string({ pattern: HTTPS_URL, describe: "an https:// URL" });
    return {
        type: "oidc",
        issuer: url("issuer"),
        authorizationEndpoint: url("authorizationEndpoint"),
        tokenEndpoint: url("tokenEndpoint"),
        userInfoEndpoint: url("userInfoEndpoint"),
        clientId: node.get("clientId").string({ pattern: /^\S{1,256}$/, describe: "the OIDC client id" }),
        clientSecretId: node.get("clientSecretId").string({ pattern: /^(arn:aws(-[a-z]+)*:secretsmanager:\S+|[\w/+=.@-]{1,512})$/, describe: "a Secrets Manager secret name or ARN holding the client secret" }),
    };
}

function ui(node: ConfigNode, metadataImage: string): UiConfig | undefined {
    node.object(UI_KEYS);
    if (!node.get("enabled").bool({ default: false })) return undefined;
    const isPublic = node.get("public").bool({ default: false });
    const size = fargateSize(node.get("backendCpu"), node.get("backendMemory"), { cpu: 1024, memory: 4096 });
    const settings: UiConfig = {
        public: isPublic,
        staticImage: image(node.get("staticImage")),
        backendImage: image(node.get("backendImage"), metadataImage),
        backendCpu: size.cpu,
        backendMemory: size.memory,
        desiredCount: node.get("desiredCount").int({ default: 1, min: 1, max: 10 }),
        // HTTPS is the UI's only listener: a certificate is required whenever the UI is on.
        tls: tls(node.get("tls"), true) ?? { certificateArn: "", domainName: "" },
        allowedCidrs: cidrList(node.get("allowedCidrs")),
        publicSubnetIds: node.get("publicSubnetIds").stringList({ default: [], pattern: /^subnet-[0-9a-f]{8,17}$/, describe: "a subnet id (subnet-...)" }),
        auth: auth(node.get("auth")),
    };
    if (isPublic) {
        if (!settings.auth) node.get("auth").fail("sign-in (type cognito or oidc) when public is true: an internet-facing UI must authenticate every request");
        if (settings.allowedCidrs.length === 0) node.get("allowedCidrs").fail("at least one CIDR when public is true: an internet-facing UI takes an allow-list");
        if (settings.publicSubnetIds.length < 2) node.get("publicSubnetIds").fail("two or more public subnets (in different zones) when public is true");
    } else if (settings.publicSubnetIds.length > 0) {
        node.get("publicSubnetIds").fail("absent unless public is true");
    }
    return settings;
}

export function parseMetadata(reader: ConfigReader, base: BaseConfig): MetadataConfig {
    const node = reader.key("ml-platform:metadata").object(KEYS, true);
    const prod = base.environment === "prod";
    const metadataImage = image(node.get("image"));
    const size = fargateSize(node.get("cpu"), node.get("memory"), { cpu: 512, memory: 1024 });
    const countNode = node.get("desiredCount");
    const desiredCount = countNode.int({ default: prod ? 2 : 1, min: 1, max: 10 });
    if (prod && desiredCount < 2) countNode.fail("at least 2 in prod: one task per zone keeps the service up when a zone or task fails");
    const retentionNode = node.get("logRetentionDays");
    const logRetentionDays = retentionNode.int({ default: 30 });
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
        retentionNode.fail(`one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return {
        image: metadataImage,
        cpu: size.cpu,
        memory: size.memory,
        desiredCount,
        fargateSpot: node.get("fargateSpot").bool({ default: false }),
        containerInsights: node.get("containerInsights").bool({ default: true }),
        logRetentionDays,
        tls: tls(node.get("tls"), false),
        database: database(node.get("database"), prod),
        apiGateway: apiGateway(node.get("apiGateway"), prod),
        ui: ui(node.get("ui"), metadataImage),
    };
}
