import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
    MetadataService,
    MIGRATION_PORT,
    apiResourcePolicy,
    ecrRepositoryArn,
    imagePullStatements,
    type MetadataServiceArgs,
    type MetadataUiOptions,
} from "../components/metadata-service";
import type { PlatformNetwork } from "../components/network";
import { allPolicies } from "../policies/all";
import type { PolicyPackConfigFile } from "../tools/policy/evaluate";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { evaluate, messagesOf } from "./helpers/policies";

const T = {
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

const VPC_CIDR = "10.20.0.0/16";
const SUBNETS = ["subnet-0aaa1111", "subnet-0bbb2222"];
const CERT = "arn:aws:acm:us-east-1:111122223333:certificate/9d4e2a71-6c3b-4f05-8a2e-1b7c9d0e3f42";
const UI_CERT = "arn:aws:acm:us-east-1:111122223333:certificate/3c7b9e12-8f4a-4d6e-b1c2-5e9f0a7d8b63";
const BUCKET_ARN = "arn:aws:s3:::mlp-test-artifacts";
const DATASTORE_KEY = "arn:aws:kms:us-east-1:123456789012:key/datastore-key";
const IMAGE = "public.ecr.aws/outerbounds/metaflow_metadata_service:2.5.0";

function network(): PlatformNetwork {
    return {
        vpcId: pulumi.output("vpc-0test"),
        vpcCidrBlock: pulumi.output(VPC_CIDR),
        privateSubnetIds: pulumi.output(SUBNETS),
        availabilityZones: pulumi.output(["us-east-1a", "us-east-1b"]),
    };
}

/** Dev's shape: RDS for PostgreSQL on a micro instance, no gateway, no UI. */
const DEV: Omit<MetadataServiceArgs, "network"> = {
    image: IMAGE,
    cpu: 256,
    memory: 512,
    desiredCount: 1,
    fargateSpot: true,
    logRetentionDays: 14,
    database: { engine: "postgres", version: "17.6", instanceClass: "db.t4g.micro", multiAz: false, backupRetentionDays: 3, storageGb: 20, deletionProtection: false, finalSnapshot: false },
};

const INTERNAL_UI: MetadataUiOptions = {
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
const PROD: Omit<MetadataServiceArgs, "network"> = {
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

interface Outputs {
    serviceUrl: string;
    internalServiceUrl: string;
    apiKey?: string;
    apiKeyIsSecret?: boolean;
    uiUrl?: string;
    dbSecretArn: string;
    securityGroupId: string;
}

async function recordService(args: Omit<MetadataServiceArgs, "network">) {
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

const sgId = (resources: RecordedResource[], name: string) => one(resources, T.sg, name).state.id as string;
const containersOf = (r: RecordedResource) => parseJson<Record<string, any>[]>(r.inputs.containerDefinitions);
const statementsOf = (resources: RecordedResource[], name: string): Record<string, any>[] => parseJson(one(resources, T.rolePolicy, name).inputs.policy).Statement;
const bySid = (statements: Record<string, any>[]) => Object.fromEntries(statements.map((s) => [s.Sid, s]));
const ingressInto = (resources: RecordedResource[], groupId: string) => ofType(resources, T.ingress).filter((r) => r.inputs.securityGroupId === groupId);
const policyConfig = (stack: string): PolicyPackConfigFile => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policies", "config", `${stack}.json`), "utf8"));

/** A recorded resource with some inputs replaced, for noncompliant policy cases. */
function changed(r: RecordedResource, inputs: Record<string, any>): RecordedResource {
    return { ...r, inputs: { ...r.inputs, ...inputs } };
}

describe("MetadataService: RDS for PostgreSQL, internal load balancer only (dev shape)", () => {
    let resources: RecordedResource[];
    let outputs: Outputs;
    before(async () => {
        ({ resources, outputs } = await recordService(DEV));
    });

    it("creates an encrypted, private, TLS-only PostgreSQL instance whose password RDS keeps in Secrets Manager", () => {
        const db = one(resources, T.instance, "md-db-instance").inputs;
        const key = one(resources, T.key, "md-key").state.arn;
        expect(db).to.include({ engine: "postgres", engineVersion: "17.6", instanceClass: "db.t4g.micro", storageEncrypted: true, kmsKeyId: key, publiclyAccessible: false, multiAz: false });
        expect(db).to.include({ manageMasterUserPassword: true, masterUserSecretKmsKeyId: key, username: "metaflow", dbName: "metaflow" });
        expect(db).to.not.have.any.keys("password", "passwordWo");
        expect(db).to.include({ backupRetentionPeriod: 3, deletionProtection: false, skipFinalSnapshot: true, autoMinorVersionUpgrade: false });
        expect(db.dbSubnetGroupName).to.equal(one(resources, T.subnetGroup, "md-db-subnets").state.name);
        expect(one(resources, T.subnetGroup, "md-db-subnets").inputs.subnetIds).to.deep.equal(SUBNETS);
        expect(db.vpcSecurityGroupIds).to.deep.equal([sgId(resources, "md-db-sg")]);
        const params = one(resources, T.parameterGroup, "md-db-params");
        expect(db.parameterGroupName).to.equal(params.state.name);
        expect(params.inputs.family).to.equal("postgres17");
        expect(params.inputs.parameters).to.deep.include({ name: "rds.force_ssl", value: "1" });
    });

    it("encrypts with a rotating key that CloudWatch Logs may use only for this component's log groups", () => {
        const key = one(resources, T.key, "md-key").inputs;
        expect(key.enableKeyRotation).to.equal(true);
        const logs = parseJson(key.policy).Statement.find((s: any) => s.Sid === "CloudWatchLogsEncryptsOwnLogGroups");
        expect(logs.Principal).to.deep.equal({ Service: "logs.us-east-1.amazonaws.com" });
        expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).to.equal("arn:aws:logs:us-east-1:123456789012:log-group:/ml-platform/md/*");
        for (const group of ofType(resources, T.logGroup)) {
            expect(group.inputs.name, group.name).to.match(/^\/ml-platform\/md\//);
            expect(group.inputs).to.include({ kmsKeyId: one(resources, T.key, "md-key").state.arn, retentionInDays: 14 });
        }
    });

    it("passes database credentials only as ECS secrets from the RDS-managed secret", () => {
        for (const definition of ofType(resources, T.taskDefinition)) {
            for (const c of containersOf(definition)) {
                expect(c.secrets, c.name).to.deep.equal([
                    { name: "MF_METADATA_DB_USER", valueFrom: `${outputs.dbSecretArn}:username::` },
                    { name: "MF_METADATA_DB_PSWD", valueFrom: `${outputs.dbSecretArn}:password::` },
                ]);
                const env = Object.fromEntries((c.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
                expect(Object.keys(env).filter((n) => /PSWD|PASSWORD|SECRET|TOKEN|USER/.test(n)), c.name).to.be.empty;
                expect(env).to.include({ MF_METADATA_DB_PORT: "5432", MF_METADATA_DB_NAME: "metaflow", MF_METADATA_DB_SSL_MODE: "require" });
                expect(env.MF_METADATA_DB_HOST).to.equal(one(resources, T.instance, "md-db-instance").state.address);
            }
        }
    });

    it("maps only the API port; the migration port is on no container, target group or rule", () => {
        const [api] = containersOf(one(resources, T.taskDefinition, "md-service-task"));
        expect(api.portMappings).to.deep.equal([{ containerPort: 8080, protocol: "tcp", name: "api" }]);
        expect(api.environment).to.deep.include({ name: "MF_MIGRATION_ENDPOINTS_ENABLED", value: "0" });
        expect(api.healthCheck.command.join(" ")).to.contain("http://localhost:8080/ping");
        const ports = [
            ...ofType(resources, T.taskDefinition).flatMap((d) => containersOf(d).flatMap((c) => (c.portMappings ?? []).map((p: any) => p.containerPort))),
            ...ofType(resources, T.targetGroup).map((tg) => tg.inputs.port),
            ...[...ofType(resources, T.ingress), ...ofType(resources, T.egress)].flatMap((r) => [r.inputs.fromPort, r.inputs.toPort]),
        ];
        expect(ports).to.not.include(MIGRATION_PORT);
    });

    it("runs the schema migration as a one-off task definition of the same image", () => {
        const definition = one(resources, T.taskDefinition, "md-migrate-task");
        const [migrate] = containersOf(definition);
        expect(migrate).to.include({ name: "migrate", image: IMAGE });
        expect(migrate.command).to.deep.equal(["/opt/latest/bin/python3", "/root/run_goose.py"]);
        expect(migrate.portMappings).to.equal(undefined);
        expect(definition.inputs).to.include({ networkMode: "awsvpc", cpu: "256", memory: "512" });
    });

    it("invokes the migration in the service's private subnets and security group, after the database is reachable", () => {
        const invocation = one(resources, T.invocation, "md-runner-migrate");
        const input = parseJson(invocation.inputs.input);
        expect(input).to.deep.include({
            action: "migrate",
            cluster: one(resources, T.ecsCluster, "md-cluster").state.arn,
            taskDefinition: one(resources, T.taskDefinition, "md-migrate-task").state.arn,
            container: "migrate",
            subnets: SUBNETS,
            securityGroups: [outputs.securityGroupId],
        });
        expect(invocation.inputs.lifecycleScope).to.equal("CREATE_ONLY");
        const needed = [one(resources, T.instance, "md-db-instance").urn, one(resources, T.ingress, "md-db-from-service").urn, one(resources, T.egress, "md-service-to-db").urn];
        expect(invocation.dependencies).to.include.members(needed);
        expect(one(resources, T.service, "md-service").dependencies).to.include(invocation.urn);
    });

    it("invokes the migration only once the runner's and the migration task's roles hold their policies", () => {
        const invocation = one(resources, T.invocation, "md-runner-migrate");
        const policy = (name: string) => one(resources, "aws:iam/rolePolicy:RolePolicy", name);
        // The runner may call ECS, and the task's execution role may read the database secret, before the first call.
        expect(parseJson(policy("md-execution-policy").inputs.policy).Statement.map((s: { Sid: string }) => s.Sid)).to.include("ReadDatabaseSecret");
        expect(invocation.dependencies).to.include.members([policy("md-runner-policy").urn, policy("md-execution-policy").urn, one(resources, "aws:iam/role:Role", "md-runner-role").urn]);
    });

    it("lets the runner start only the migration task in this cluster and pass only its two roles to ECS", () => {
        const s = bySid(statementsOf(resources, "md-runner-policy"));
        const cluster = one(resources, T.ecsCluster, "md-cluster").state.arn;
        expect(s.RunMigrationTask).to.deep.include({ Action: "ecs:RunTask", Resource: `${one(resources, T.taskDefinition, "md-migrate-task").state.arnWithoutRevision}:*` });
        expect(s.RunMigrationTask.Condition).to.deep.equal({ ArnEquals: { "ecs:cluster": cluster } });
        expect(s.PassMigrationTaskRoles.Resource).to.have.members([one(resources, "aws:iam/role:Role", "md-execution-role").state.arn, one(resources, "aws:iam/role:Role", "md-task-role").state.arn]);
        expect(s.PassMigrationTaskRoles.Condition).to.deep.equal({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    });

    it("restarts the service after the database password rotates", () => {
        const pattern = parseJson(one(resources, T.eventRule, "md-rotation-rule").inputs.eventPattern);
        expect(pattern.detail).to.deep.include({ eventName: ["RotationSucceeded"], additionalEventData: { SecretId: [outputs.dbSecretArn] } });
        const input = parseJson(one(resources, T.eventTarget, "md-rotation-target").inputs.input);
        expect(input).to.deep.equal({ action: "redeploy", cluster: one(resources, T.ecsCluster, "md-cluster").state.arn, services: [one(resources, T.service, "md-service").state.name] });
        expect(statementsOf(resources, "md-rotation-policy")).to.deep.equal([
            { Sid: "RedeployAfterRotation", Effect: "Allow", Action: "ecs:UpdateService", Resource: [one(resources, T.service, "md-service").state.arn] },
        ]);
    });

    it("gives the execution role exactly its log group, its secret and that secret's key", () => {
        const s = bySid(statementsOf(resources, "md-execution-policy"));
        expect(Object.keys(s)).to.have.members(["WriteTaskLogs", "ReadDatabaseSecret", "DecryptDatabaseSecret"]);
        expect(s.WriteTaskLogs.Resource).to.equal(`${one(resources, T.logGroup, "md-logs").state.arn}:log-stream:*`);
        expect(s.ReadDatabaseSecret).to.deep.include({ Action: "secretsmanager:GetSecretValue", Resource: outputs.dbSecretArn });
        expect(s.DecryptDatabaseSecret).to.deep.include({ Action: "kms:Decrypt", Resource: one(resources, T.key, "md-key").state.arn });
        expect(s.DecryptDatabaseSecret.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
        // The service's own role grants nothing: it talks to its database only.
        expect(ofType(resources, T.rolePolicy).map((p) => p.name)).to.not.include("md-task-policy");
    });

    it("runs the service in private subnets without public IPs, with a circuit breaker that rolls back", () => {
        const svc = one(resources, T.service, "md-service").inputs;
        expect(svc.networkConfiguration).to.deep.equal({ subnets: SUBNETS, securityGroups: [outputs.securityGroupId], assignPublicIp: false });
        expect(svc.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
        expect(svc).to.include({ desiredCount: 1, waitForSteadyState: true, taskDefinition: one(resources, T.taskDefinition, "md-service-task").state.arn });
        expect(svc.capacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
        expect(svc.loadBalancers).to.deep.equal([{ targetGroupArn: one(resources, T.targetGroup, "md-api-tg").state.arn, containerName: "metadata", containerPort: 8080 }]);
    });

    it("puts an internal load balancer with an HTTP listener in front, health-checking /ping on 8080", () => {
        const lb = one(resources, T.lb, "md-api-lb").inputs;
        expect(lb).to.include({ internal: true, loadBalancerType: "application", dropInvalidHeaderFields: true });
        expect(lb.subnets).to.deep.equal(SUBNETS);
        const listener = one(resources, T.listener, "md-api-listener").inputs;
        expect(listener).to.include({ port: 80, protocol: "HTTP" });
        expect(listener.defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: one(resources, T.targetGroup, "md-api-tg").state.arn }]);
        const tg = one(resources, T.targetGroup, "md-api-tg").inputs;
        expect(tg).to.include({ port: 8080, protocol: "HTTP", targetType: "ip" });
        expect(tg.healthCheck).to.include({ path: "/ping", port: "traffic-port" });
        expect(outputs.serviceUrl).to.equal(`http://${one(resources, T.lb, "md-api-lb").state.dnsName}`);
        expect(outputs.internalServiceUrl).to.equal(outputs.serviceUrl);
        expect(outputs.apiKey).to.equal(undefined);
        expect(outputs.uiUrl).to.equal(undefined);
    });

    it("chains the security groups: VPC → load balancer → service → database, and nothing else", () => {
        const [lb, service, db] = ["md-lb-sg", "md-service-sg", "md-db-sg"].map((n) => sgId(resources, n));
        const sources = (group: string) => ingressInto(resources, group).map((r) => ({ port: r.inputs.fromPort, from: r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4 }));
        expect(sources(db)).to.deep.equal([{ port: 5432, from: service }]);
        expect(sources(service)).to.deep.equal([{ port: 8080, from: lb }]);
        expect(sources(lb)).to.deep.equal([{ port: 80, from: VPC_CIDR }]);
        for (const rule of ofType(resources, T.ingress)) expect(rule.inputs.cidrIpv4, rule.name).to.not.equal("0.0.0.0/0");
        for (const rule of [...ofType(resources, T.ingress), ...ofType(resources, T.egress)]) expect(rule.inputs.fromPort, rule.name).to.equal(rule.inputs.toPort);
    });

    it("passes the dev security baseline, and a DB opened to the internet or a password in the environment is a mandatory violation", async () => {
        const config = policyConfig("dev");
        expect((await evaluate(allPolicies, resources, config)).violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);

        const dbRule = one(resources, T.ingress, "md-db-from-service");
        const opened = resources.map((r) => (r === dbRule ? changed(r, { referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" }) : r));
        const openedVerdict = await evaluate(allPolicies, opened, config);
        expect(messagesOf(openedVerdict, "security-group-no-public-ingress").join("\n")).to.contain("md-db-from-service");

        const task = one(resources, T.taskDefinition, "md-service-task");
        const [container] = containersOf(task);
        const leaky = { ...container, environment: [...container.environment, { name: "MF_METADATA_DB_PSWD", value: "correct-horse-battery-staple" }] };
        const leaked = resources.map((r) => (r === task ? changed(r, { containerDefinitions: JSON.stringify([leaky]) }) : r));
        const leakedVerdict = await evaluate(allPolicies, leaked, config);
        expect(leakedVerdict.violations.filter((v) => v.policy === "ecs-no-plaintext-secrets" && v.level === "mandatory")).to.have.length(1);

        const instance = one(resources, T.instance, "md-db-instance");
        const exposed = resources.map((r) => (r === instance ? changed(r, { publiclyAccessible: true }) : r));
        expect(messagesOf(await evaluate(allPolicies, exposed, config), "rds-not-public")).to.have.length(1);
    });
});

describe("MetadataService: Aurora Serverless v2, HTTPS, API Gateway and internal UI (prod shape)", () => {
    let resources: RecordedResource[];
    let outputs: Outputs;
    before(async () => {
        ({ resources, outputs } = await recordService(PROD));
    });

    it("creates a protected Aurora Serverless v2 cluster with a writer and a reader in two zones", () => {
        const cluster = one(resources, T.cluster, "md-db-cluster");
        expect(cluster.inputs).to.include({ engine: "aurora-postgresql", engineVersion: "17.6", engineMode: "provisioned", storageEncrypted: true, manageMasterUserPassword: true });
        expect(cluster.inputs).to.include({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "md-db-final", backupRetentionPeriod: 30 });
        expect(cluster.inputs.serverlessv2ScalingConfiguration).to.deep.equal({ minCapacity: 1, maxCapacity: 16 });
        expect(cluster.inputs).to.not.have.any.keys("masterPassword", "masterPasswordWo");
        const params = one(resources, T.clusterParameterGroup, "md-db-params");
        expect(params.inputs.family).to.equal("aurora-postgresql17");
        expect(params.inputs.parameters).to.deep.include({ name: "rds.force_ssl", value: "1" });
        const members = ofType(resources, T.clusterInstance);
        expect(members.map((m) => m.name)).to.have.members(["md-db-writer", "md-db-reader"]);
        expect(members.map((m) => m.inputs.availabilityZone)).to.have.members(["us-east-1a", "us-east-1b"]);
        for (const m of members) {
            expect(m.inputs).to.include({ instanceClass: "db.serverless", publiclyAccessible: false, clusterIdentifier: cluster.state.id });
            expect(m).to.include({ protect: true, retainOnDelete: true });
        }
        expect(cluster).to.include({ protect: true, retainOnDelete: true });
        expect(one(resources, T.key, "md-key")).to.include({ protect: true, retainOnDelete: true });
        // What a retained database stands on stays with it, or the destroy would fail on it.
        for (const [type, name] of [[T.subnetGroup, "md-db-subnets"], [T.clusterParameterGroup, "md-db-params"], [T.sg, "md-db-sg"]]) {
            expect(one(resources, type, name), name).to.include({ protect: true, retainOnDelete: true });
        }
    });

    it("serves HTTPS on the internal load balancer under the configured name", () => {
        const listener = one(resources, T.listener, "md-api-listener").inputs;
        expect(listener).to.include({ port: 443, protocol: "HTTPS", certificateArn: CERT, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
        expect(outputs.internalServiceUrl).to.equal("https://metaflow.prod.ml.acme.example");
        expect(one(resources, T.record, "md-dns").inputs).to.deep.include({ name: "metaflow.prod.ml.acme.example", type: "A", zoneId: "Z0ACME0PRIVATE" });
        expect(one(resources, T.service, "md-service").inputs.capacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE", weight: 1 }]);
        expect(one(resources, T.service, "md-service").inputs.desiredCount).to.equal(2);
    });

    it("requires the API key on every API Gateway method and throttles the key's usage plan", () => {
        const methods = ofType(resources, T.method);
        expect(methods).to.have.length(2);
        for (const m of methods) expect(m.inputs, m.name).to.include({ apiKeyRequired: true, httpMethod: "ANY" });
        const plan = one(resources, T.usagePlan, "md-gateway-usage-plan").inputs;
        expect(plan.throttleSettings).to.deep.equal({ rateLimit: 100, burstLimit: 200 });
        expect(plan.apiStages).to.deep.equal([{ apiId: one(resources, T.restApi, "md-gateway-api").state.id, stage: "api" }]);
        expect(one(resources, T.stage, "md-gateway-stage").inputs.stageName).to.equal("api");
        expect(one(resources, T.restApi, "md-gateway-api").inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
        expect(outputs.serviceUrl).to.equal(one(resources, T.stage, "md-gateway-stage").state.invokeUrl);
        expect(outputs.apiKey).to.match(/^mock-api-key-/);
        expect(outputs.apiKeyIsSecret).to.equal(true);
    });

    it("proxies through a VPC link straight to the internal load balancer, allowed in by its own security group", () => {
        const lbArn = one(resources, T.lb, "md-api-lb").state.arn;
        for (const i of ofType(resources, T.integration)) {
            expect(i.inputs, i.name).to.include({ type: "HTTP_PROXY", connectionType: "VPC_LINK", integrationTarget: lbArn });
        }
        expect(one(resources, T.integration, "md-gateway-proxy-integration").inputs.uri).to.equal("https://metaflow.prod.ml.acme.example/{proxy}");
        const link = sgId(resources, "md-gateway-link-sg");
        expect(ingressInto(resources, sgId(resources, "md-lb-sg")).map((r) => r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4)).to.have.members([VPC_CIDR, link]);
    });

    it("limits callers to the allowed CIDRs with a resource policy", () => {
        const policy = parseJson(one(resources, T.restApiPolicy, "md-gateway-policy").inputs.policy);
        const deny = policy.Statement.find((s: any) => s.Effect === "Deny");
        expect(deny).to.deep.include({ Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } } });
    });

    it("runs the UI behind an internal HTTPS load balancer that routes /api/* to the backend", () => {
        const lb = one(resources, T.lb, "md-ui-lb").inputs;
        expect(lb).to.include({ internal: true });
        expect(lb.subnets).to.deep.equal(SUBNETS);
        const listener = one(resources, T.listener, "md-ui-https").inputs;
        expect(listener).to.include({ port: 443, protocol: "HTTPS", certificateArn: UI_CERT });
        expect(listener.defaultActions).to.deep.equal([{ type: "forward", order: 2, targetGroupArn: one(resources, T.targetGroup, "md-ui-static-tg").state.arn }]);
        const rule = one(resources, T.listenerRule, "md-ui-api-rule").inputs;
        expect(rule.conditions).to.deep.equal([{ pathPattern: { values: ["/api/*"] } }]);
        expect(rule.actions).to.deep.equal([{ type: "forward", order: 2, targetGroupArn: one(resources, T.targetGroup, "md-ui-backend-tg").state.arn }]);
        expect(ingressInto(resources, sgId(resources, "md-ui-lb-sg")).map((r) => ({ port: r.inputs.fromPort, from: r.inputs.cidrIpv4 }))).to.deep.equal([{ port: 443, from: VPC_CIDR }]);
        expect(outputs.uiUrl).to.equal("https://metaflow-ui.prod.ml.acme.example");
        for (const name of ["md-ui-backend", "md-ui-static"]) {
            expect(one(resources, T.service, name).inputs.networkConfiguration.assignPublicIp, name).to.equal(false);
        }
    });

    it("lets the UI backend read the datastore and reach the database, and nothing more", () => {
        const [backend] = containersOf(one(resources, T.taskDefinition, "md-ui-backend-task"));
        expect(backend.command).to.deep.equal(["/opt/latest/bin/python3", "-m", "services.ui_backend_service.ui_server"]);
        expect(backend.portMappings).to.deep.equal([{ containerPort: 8083, protocol: "tcp", name: "ui-api" }]);
        expect(backend.environment).to.deep.include({ name: "METAFLOW_DATASTORE_SYSROOT_S3", value: "s3://mlp-test-artifacts/metaflow" });
        const s = bySid(statementsOf(resources, "md-ui-backend-task-policy"));
        expect(s.ListDatastore).to.deep.include({ Action: "s3:ListBucket", Resource: BUCKET_ARN });
        expect(s.ReadDatastore).to.deep.include({ Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` });
        expect(s.DecryptDatastore).to.deep.include({ Action: "kms:Decrypt", Resource: DATASTORE_KEY });
        const db = sgId(resources, "md-db-sg");
        expect(ingressInto(resources, db).map((r) => r.inputs.referencedSecurityGroupId)).to.have.members([sgId(resources, "md-service-sg"), sgId(resources, "md-ui-backend-sg")]);
        const staticExecution = bySid(statementsOf(resources, "md-ui-static-execution-policy"));
        expect(Object.keys(staticExecution)).to.deep.equal(["WriteTaskLogs"]);
    });

    it("restarts the metadata service and the UI backend after a password rotation", () => {
        const input = parseJson(one(resources, T.eventTarget, "md-rotation-target").inputs.input);
        expect(input.services).to.deep.equal([one(resources, T.service, "md-service").state.name, one(resources, T.service, "md-ui-backend").state.name]);
    });

    it("passes the prod security baseline with no violation", async () => {
        const verdict = await evaluate(allPolicies, resources, policyConfig("prod"));
        expect(verdict.violations.map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
    });
});

describe("MetadataService: internet-facing UI and a PRIVATE API", () => {
    const PUBLIC_UI: MetadataUiOptions = {
        ...INTERNAL_UI,
        public: true,
        allowedCidrs: ["198.51.100.0/24"],
        publicSubnetIds: ["subnet-0a0b1111", "subnet-0a0b2222"],
        auth: { type: "cognito", userPoolArn: "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_abc", userPoolClientId: "client123", userPoolDomain: "acme-ml" },
    };
    let resources: RecordedResource[];
    before(async () => {
        ({ resources } = await recordService({
            ...PROD,
            ui: PUBLIC_UI,
            apiGateway: { endpointType: "PRIVATE", allowedCidrs: [], vpcEndpointIds: ["vpce-0123456789abcdef0"], stageName: "api", rateLimit: 10, burstLimit: 20 },
        }));
    });

    it("signs users in on the listener before every forward, from the allowed CIDRs only", () => {
        const lb = one(resources, T.lb, "md-ui-lb").inputs;
        expect(lb).to.include({ internal: false });
        expect(lb.subnets).to.deep.equal(["subnet-0a0b1111", "subnet-0a0b2222"]);
        const signIn = {
            type: "authenticate-cognito",
            order: 1,
            authenticateCognito: { userPoolArn: "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_abc", userPoolClientId: "client123", userPoolDomain: "acme-ml", onUnauthenticatedRequest: "authenticate" },
        };
        expect(one(resources, T.listener, "md-ui-https").inputs.defaultActions[0]).to.deep.equal(signIn);
        expect(one(resources, T.listenerRule, "md-ui-api-rule").inputs.actions[0]).to.deep.equal(signIn);
        const sources = ingressInto(resources, sgId(resources, "md-ui-lb-sg")).map((r) => ({ port: r.inputs.fromPort, from: r.inputs.cidrIpv4 }));
        expect(sources).to.deep.equal([{ port: 443, from: "198.51.100.0/24" }]);
    });

    it("makes the API reachable only through the named VPC endpoint", () => {
        expect(one(resources, T.restApi, "md-gateway-api").inputs.endpointConfiguration).to.deep.equal({ types: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0"] });
        const deny = parseJson(one(resources, T.restApiPolicy, "md-gateway-policy").inputs.policy).Statement.find((s: any) => s.Effect === "Deny");
        expect(deny.Condition).to.deep.equal({ StringNotEquals: { "aws:SourceVpce": ["vpce-0123456789abcdef0"] } });
    });

    it("takes OIDC sign-in with the client secret kept secret", async () => {
        const oidc = { type: "oidc" as const, issuer: "https://id.acme.example", authorizationEndpoint: "https://id.acme.example/authorize", tokenEndpoint: "https://id.acme.example/token", userInfoEndpoint: "https://id.acme.example/userinfo", clientId: "metaflow-ui" };
        const run = await record(async () => {
            const md = new MetadataService("md", { ...DEV, network: network(), ui: { ...PUBLIC_UI, auth: { ...oidc, clientSecret: pulumi.secret("s3cr3t") } } }, { providers: [testProvider()] });
            return resolve(md.uiUrl);
        });
        const action = one(run.resources, T.listener, "md-ui-https").inputs.defaultActions[0];
        expect(action.type).to.equal("authenticate-oidc");
        expect(action.authenticateOidc).to.deep.equal({
            issuer: oidc.issuer,
            authorizationEndpoint: oidc.authorizationEndpoint,
            tokenEndpoint: oidc.tokenEndpoint,
            userInfoEndpoint: oidc.userInfoEndpoint,
            clientId: "metaflow-ui",
            clientSecret: "s3cr3t",
            onUnauthenticatedRequest: "authenticate",
        });
        expect(JSON.stringify(one(run.resources, T.listener, "md-ui-https").displayInputs)).to.not.contain("s3cr3t");
    });

    it("refuses an internet-facing UI without sign-in", async () => {
        const failed = await record(async () => {
            new MetadataService("md", { ...DEV, network: network(), ui: { ...PUBLIC_UI, auth: undefined } }, { providers: [testProvider()] });
        }).then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(failed).to.contain("an internet-facing UI needs sign-in");
    });
});

describe("metadata service helpers", () => {
    it("builds no resource policy for an unrestricted REGIONAL API", () => {
        expect(apiResourcePolicy({ endpointType: "REGIONAL", allowedCidrs: [], vpcEndpointIds: [] })).to.equal(undefined);
    });

    it("checks a PRIVATE API's caller address as the VPC source IP", () => {
        const doc = apiResourcePolicy({ endpointType: "PRIVATE", allowedCidrs: ["10.20.0.0/16"], vpcEndpointIds: ["vpce-0abc12345"] })!;
        expect(doc.Statement.map((s) => s.Condition)).to.deep.include({ NotIpAddress: { "aws:VpcSourceIp": ["10.20.0.0/16"] } });
    });

    it("grants image pulls only for private ECR repositories", () => {
        expect(ecrRepositoryArn(IMAGE)).to.equal(undefined);
        expect(imagePullStatements([IMAGE])).to.deep.equal([]);
        const image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ml/metaflow-service:2.5.0";
        expect(ecrRepositoryArn(image)).to.equal("arn:aws:ecr:eu-west-1:111122223333:repository/ml/metaflow-service");
        const [login, pull] = imagePullStatements([image, image]) as Record<string, any>[];
        expect(login).to.deep.include({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
        expect(pull.Resource).to.deep.equal(["arn:aws:ecr:eu-west-1:111122223333:repository/ml/metaflow-service"]);
    });

    it("rejects a Fargate size that does not exist", async () => {
        const failed = await record(async () => {
            new MetadataService("md", { ...DEV, cpu: 256, memory: 4096, network: network() }, { providers: [testProvider()] });
        }).then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(failed).to.contain("Fargate does not offer 256 CPU with 4096 MiB");
    });
});
