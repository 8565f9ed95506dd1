/**
 * Shared fixtures for the MetadataService tests: the dev and prod argument shapes, a recorded run of
 * the component under mocks, and lookups into the recorded resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { MetadataService, type MetadataServiceArgs, type MetadataUiOptions } from "../../components/metadata-service";
import type { PlatformNetwork } from "../../components/network";
import type { PolicyPackConfigFile } from "../../tools/policy/evaluate";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./mocks";
import { resolve } from "./outputs";

export const T = {
    key: "aws:kms/key:Key",
    instance: "aws:rds/instance:Instance",
    cluster: "aws:rds/cluster:Cluster",
    clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    ecsCluster: "aws:ecs/cluster:Cluster",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    invocation: "aws:lambda/invocation:Invocation",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    method: "aws:apigateway/method:Method",
    integration: "aws:apigateway/integration:Integration",
    restApi: "aws:apigateway/restApi:RestApi",
    restApiPolicy: "aws:apigateway/restApiPolicy:RestApiPolicy",
    usagePlan: "aws:apigateway/usagePlan:UsagePlan",
    stage: "aws:apigateway/stage:Stage",
    record: "aws:route53/record:Record",
};

export const VPC_CIDR = "10.20.0.0/16";
export const SUBNETS = ["subnet-0aaa1111", "subnet-0bbb2222"];
export const CERT = "arn:aws:acm:us-east-1:111122223333:certificate/9d4e2a71-6c3b-4f05-8a2e-1b7c9d0e3f42";
export const UI_CERT = "arn:aws:acm:us-east-1:111122223333:certificate/3c7b9e12-8f4a-4d6e-b1c2-5e9f0a7d8b63";
export const BUCKET_ARN = "arn:aws:s3:::mlp-test-artifacts";
export const DATASTORE_KEY = "arn:aws:kms:us-east-1:123456789012:key/datastore-key";
export const IMAGE = "public.ecr.aws/outerbounds/metaflow_metadata_service:2.5.0";

export function network(): PlatformNetwork {
    return {
        vpcId: pulumi.output("vpc-0test"),
        vpcCidrBlock: pulumi.output(VPC_CIDR),
        privateSubnetIds: pulumi.output(SUBNETS),
        availabilityZones: pulumi.output(["us-east-1a", "us-east-1b"]),
    };
}

/** Dev's shape: RDS for PostgreSQL on a micro instance, no gateway, no UI. */
export const DEV: Omit<MetadataServiceArgs, "network"> = {
    image: IMAGE,
    cpu: 256,
    memory: 512,
    desiredCount: 1,
    fargateSpot: true,
    logRetentionDays: 14,
    database: { engine: "postgres", version: "17.6", instanceClass: "db.t4g.micro", multiAz: false, backupRetentionDays: 3, storageGb: 20, deletionProtection: false, finalSnapshot: false },
};

export const INTERNAL_UI: MetadataUiOptions = {
    public: false,
    staticImage: "public.ecr.aws/outerbounds/metaflow_ui:v1.2.4",
    backendImage: IMAGE,
    backendCpu: 1024,
    backendMemory: 4096,
    desiredCount: 2,
    tls: { certificateArn: UI_CERT, domainName: "metaflow-ui.prod.ml.acme.example", hostedZoneId: "Z0ACME0PRIVATE" },
    allowedCidrs: [],
    publicSubnetIds: [],
    datastore: { root: "s3://mlp-test-artifacts/metaflow", bucketArn: BUCKET_ARN, kmsKeyArn: DATASTORE_KEY },
};

/** Prod's shape: Aurora Serverless v2 with a reader, HTTPS, API Gateway with a CIDR policy, internal UI. */
export const PROD: Omit<MetadataServiceArgs, "network"> = {
    image: IMAGE,
    cpu: 1024,
    memory: 2048,
    desiredCount: 2,
    logRetentionDays: 90,
    tls: { certificateArn: CERT, domainName: "metaflow.prod.ml.acme.example", hostedZoneId: "Z0ACME0PRIVATE" },
    database: { engine: "aurora-postgresql", version: "17.6", serverless: { minCapacity: 1, maxCapacity: 16 }, multiAz: true, backupRetentionDays: 30, deletionProtection: true, finalSnapshot: true },
    apiGateway: { endpointType: "REGIONAL", allowedCidrs: ["203.0.113.0/24"], vpcEndpointIds: [], stageName: "api", rateLimit: 100, burstLimit: 200 },
    ui: INTERNAL_UI,
    protect: true,
    retainOnDelete: true,
};

export interface Outputs {
    serviceUrl: string;
    internalServiceUrl: string;
    apiKey?: string;
    apiKeyIsSecret?: boolean;
    uiUrl?: string;
    dbSecretArn: string;
    securityGroupId: string;
}

export async function recordService(args: Omit<MetadataServiceArgs, "network">) {
    return record(async (): Promise<Outputs> => {
        const md = new MetadataService("md", { ...args, network: network() }, { providers: [testProvider()] });
        return {
            serviceUrl: await resolve(md.serviceUrl),
            internalServiceUrl: await resolve(md.internalServiceUrl),
            apiKey: md.apiKey && (await resolve(md.apiKey)),
            apiKeyIsSecret: md.apiKey && (await pulumi.isSecret(md.apiKey)),
            uiUrl: md.uiUrl && (await resolve(md.uiUrl)),
            dbSecretArn: await resolve(md.dbSecretArn),
            securityGroupId: await resolve(md.securityGroupId),
        };
    });
}

export const sgId = (resources: RecordedResource[], name: string) => one(resources, T.sg, name).state.id as string;
export const containersOf = (r: RecordedResource) => parseJson<Record<string, any>[]>(r.inputs.containerDefinitions);
export const statementsOf = (resources: RecordedResource[], name: string): Record<string, any>[] => parseJson(one(resources, T.rolePolicy, name).inputs.policy).Statement;
export const bySid = (statements: Record<string, any>[]) => Object.fromEntries(statements.map((s) => [s.Sid, s]));
export const ingressInto = (resources: RecordedResource[], groupId: string) => ofType(resources, T.ingress).filter((r) => r.inputs.securityGroupId === groupId);
export const policyConfig = (stack: string): PolicyPackConfigFile => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${stack}.json`), "utf8"));
