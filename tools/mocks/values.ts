/**
 * Realistic ids, ARNs and computed outputs for mocked resources and invokes, so that the program's
 * string building (ARNs in IAM documents, URLs in the Metaflow config) is exercised as in a real run.
 * Everything is deterministic: the same program gives the same plan.
 */
import { createHash } from "crypto";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_AZ_SUFFIXES = ["a", "b", "c"];

function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** `aws:batch/computeEnvironment:ComputeEnvironment` → { module: "batch", cls: "ComputeEnvironment" }. */
function parseType(type: string): { pkg: string; module: string; cls: string } {
    const [pkg, middle = "", cls = ""] = type.split(":");
    return { pkg, module: middle.split("/")[0], cls };
}

function kebab(s: string): string {
    return s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** Physical name as the provider would choose it: the explicit name, a prefix plus suffix, or auto-naming. */
function physicalName(name: string, inputs: Record<string, any>): string {
    for (const key of ["name", "bucket", "functionName", "tableName", "roleName", "clusterIdentifier", "identifier", "computeEnvironmentName"]) {
        if (typeof inputs[key] === "string" && inputs[key]) return inputs[key];
    }
    for (const key of ["namePrefix", "bucketPrefix", "computeEnvironmentNamePrefix", "identifierPrefix"]) {
        if (typeof inputs[key] === "string" && inputs[key]) return `${inputs[key]}${hex(name, 8)}`;
    }
    return `${name}-${hex(name, 7)}`;
}

const EC2_ID_PREFIX: Record<string, string> = {
    Vpc: "vpc",
    Subnet: "subnet",
    SecurityGroup: "sg",
    NatGateway: "nat",
    InternetGateway: "igw",
    RouteTable: "rtb",
    Eip: "eipalloc",
    LaunchTemplate: "lt",
    VpcEndpoint: "vpce",
    Instance: "i",
    SecurityGroupRule: "sgrule",
    FlowLog: "fl",
};

export interface MockState {
    readonly id: string;
    readonly state: Record<string, unknown>;
}

/** The id and output state a real provider would return for a new resource. */
export function mockResourceState(type: string, name: string, inputs: Record<string, any>, region: string): MockState {
    const { pkg, module, cls } = parseType(type);
    if (pkg !== "aws") {
        return { id: `${name}-id`, state: { ...inputs } };
    }
    const physical = physicalName(name, inputs);
    const acct = MOCK_ACCOUNT_ID;
    const arnBase = `arn:aws:${module}:${region}:${acct}`;
    let id = physical;
    let arn = `${arnBase}:${kebab(cls)}/${physical}`;
    const extra: Record<string, unknown> = {};

    switch (module) {
        case "s3":
            arn = `arn:aws:s3:::${physical}`;
            Object.assign(extra, {
                bucket: physical,
                bucketDomainName: `${physical}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${physical}.s3.${region}.amazonaws.com`,
            });
            break;
        case "iam": {
            const kind = cls === "InstanceProfile" ? "instance-profile" : cls === "Policy" ? "policy" : "role";
            const path = typeof inputs.path === "string" ? inputs.path : "/";
            arn = `arn:aws:iam::${acct}:${kind}${path}${physical}`;
            Object.assign(extra, { name: physical, uniqueId: `AROA${hex(name, 17).toUpperCase()}` });
            if (cls === "RolePolicy" || cls === "RolePolicyAttachment") id = `${inputs.role ?? physical}:${physical}`;
            break;
        }
        case "kms":
            id = `${hex(name, 8)}-${hex(name + "1", 4)}-4${hex(name + "2", 3)}-8${hex(name + "3", 3)}-${hex(name + "4", 12)}`;
            arn = cls === "Alias" ? `${arnBase}:${physical}` : `${arnBase}:key/${id}`;
            Object.assign(extra, { keyId: id });
            break;
        case "ec2": {
            const prefix = EC2_ID_PREFIX[cls];
            if (prefix) id = `${prefix}-0${hex(name, 16)}`;
            arn = `${arnBase}:${kebab(cls)}/${id}`;
            if (cls === "LaunchTemplate") Object.assign(extra, { latestVersion: 1, defaultVersion: 1 });
            if (cls === "Eip") Object.assign(extra, { publicIp: "198.51.100.10", allocationId: id });
            break;
        }
        case "batch":
            arn = `${arnBase}:${kebab(cls)}/${physical}`;
            if (cls === "JobDefinition") arn = `${arn}:1`;
            Object.assign(extra, { name: physical });
            if (cls === "ComputeEnvironment") Object.assign(extra, { computeEnvironmentName: physical, ecsClusterArn: `arn:aws:ecs:${region}:${acct}:cluster/${physical}` });
            id = cls === "ComputeEnvironment" ? physical : arn;
            break;
        case "sns":
            arn = `${arnBase}:${physical}`;
            id = arn;
            break;
        case "sqs":
            arn = `${arnBase}:${physical}`;
            id = `https://sqs.${region}.amazonaws.com/${acct}/${physical}`;
            break;
        case "cloudwatch":
            if (cls === "LogGroup") arn = `arn:aws:logs:${region}:${acct}:log-group:${physical}`;
            else if (cls === "Dashboard") arn = `arn:aws:cloudwatch::${acct}:dashboard/${physical}`;
            else if (cls === "EventRule") {
                arn = `arn:aws:events:${region}:${acct}:rule/${physical}`;
                Object.assign(extra, { name: physical });
            } else if (cls === "MetricAlarm") arn = `arn:aws:cloudwatch:${region}:${acct}:alarm:${physical}`;
            break;
        case "dynamodb":
            arn = `${arnBase}:table/${physical}`;
            Object.assign(extra, { name: physical, streamArn: `${arn}/stream/2026-01-01T00:00:00.000` });
            break;
        case "ssm":
            arn = `${arnBase}:parameter${physical.startsWith("/") ? "" : "/"}${physical}`;
            break;
        case "secretsmanager":
            arn = `${arnBase}:secret:${physical}-${hex(name, 6)}`;
            id = arn;
            break;
        case "ecs":
            arn = `${arnBase}:${kebab(cls).replace("task-definition", "task-definition")}/${physical}`;
            if (cls === "TaskDefinition") {
                arn = `${arnBase}:task-definition/${inputs.family ?? physical}:1`;
                Object.assign(extra, { revision: 1, arnWithoutRevision: `${arnBase}:task-definition/${inputs.family ?? physical}` });
            }
            if (cls === "Cluster" || cls === "Service") Object.assign(extra, { name: physical });
            break;
        case "lb": {
            const short = physical.slice(0, 32);
            const kind = cls === "TargetGroup" ? "targetgroup" : cls === "Listener" ? "listener/app" : "loadbalancer/app";
            arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${kind}/${short}/${hex(name, 16)}`;
            id = arn;
            const scheme = inputs.internal === false ? "" : "internal-";
            Object.assign(extra, { dnsName: `${scheme}${short}-${hex(name, 9)}.${region}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K", arnSuffix: `app/${short}/${hex(name, 16)}` });
            break;
        }
        case "rds":
            arn = `arn:aws:rds:${region}:${acct}:${cls === "Cluster" ? "cluster" : cls === "SubnetGroup" ? "subgrp" : "db"}:${physical}`;
            Object.assign(extra, {
                name: physical,
                ...(cls === "Instance" ? { identifier: physical } : cls === "Cluster" ? { clusterIdentifier: physical } : {}),
                endpoint: `${physical}.${cls === "Cluster" ? "cluster-" : ""}c${hex(name, 11)}.${region}.rds.amazonaws.com${cls === "Instance" ? ":5432" : ""}`,
                readerEndpoint: `${physical}.cluster-ro-c${hex(name, 11)}.${region}.rds.amazonaws.com`,
                address: `${physical}.c${hex(name, 11)}.${region}.rds.amazonaws.com`,
                port: inputs.port ?? 5432,
                resourceId: `db-${hex(name, 26).toUpperCase()}`,
                clusterResourceId: `cluster-${hex(name, 26).toUpperCase()}`,
                masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${region}:${acct}:secret:rds!${cls === "Cluster" ? "cluster" : "db"}-${hex(name, 8)}-${hex(name, 6)}`, secretStatus: "active", kmsKeyId: inputs.masterUserSecretKmsKeyId ?? "" }],
            });
            break;
        case "apigateway":
            id = hex(name, 10);
            arn = `arn:aws:apigateway:${region}::/restapis/${id}`;
            Object.assign(extra, {
                rootResourceId: hex(name + "root", 10),
                executionArn: `arn:aws:execute-api:${region}:${acct}:${id}`,
                invokeUrl: `https://${hex(name, 10)}.execute-api.${region}.amazonaws.com/${inputs.stageName ?? ""}`,
                value: `mock-api-key-${hex(name, 20)}`,
            });
            break;
        case "sfn":
            arn = `arn:aws:states:${region}:${acct}:stateMachine:${physical}`;
            break;
        case "sagemaker":
            arn = `arn:aws:sagemaker:${region}:${acct}:${kebab(cls)}/${physical.toLowerCase()}`;
            Object.assign(extra, { url: `${physical}.notebook.${region}.sagemaker.aws` });
            break;
        case "lambda":
            arn = `arn:aws:lambda:${region}:${acct}:function:${physical}`;
            Object.assign(extra, { name: physical, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` });
            break;
        case "budgets":
            id = `${acct}:${physical}`;
            arn = `arn:aws:budgets::${acct}:budget/${physical}`;
            break;
        case "eks":
            Object.assign(extra, { endpoint: `https://${hex(name, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com` });
            if (cls === "Cluster") Object.assign(extra, { certificateAuthority: { data: Buffer.from(`mock CA of ${physical}`).toString("base64") } });
            break;
        default:
            break;
    }
    return { id, state: { ...inputs, ...extra, id, arn } };
}

/** Results of the provider functions the program calls. An unknown function is an error, never a guess. */
export function mockInvoke(token: string, inputs: Record<string, any>, region: string): Record<string, unknown> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/plan`, userId: "AIDAPLAN", id: MOCK_ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                names: MOCK_AZ_SUFFIXES.map((s) => `${region}${s}`),
                zoneIds: MOCK_AZ_SUFFIXES.map((_, i) => `use1-az${i + 1}`),
                id: region,
            };
        case "aws:secretsmanager/getSecretVersion:getSecretVersion":
            return { secretId: inputs.secretId, secretString: "mock-secret-value", versionId: "00000000-0000-4000-8000-000000000001", versionStages: ["AWSCURRENT"], arn: inputs.secretId, id: inputs.secretId };
        case "aws:ssm/getParameter:getParameter":
            return { name: inputs.name, value: "ami-0mockedecsoptimized", type: "String", arn: `arn:aws:ssm:${region}::parameter${inputs.name}`, id: inputs.name };
        default:
            throw new Error(`The offline plan has no mock for the provider function '${token}'. Add one to tools/mocks/values.ts.`);
    }
}
