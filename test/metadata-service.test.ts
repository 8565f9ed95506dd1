import { expect } from "chai";
import { MetadataService, MIGRATION_PORT, apiResourcePolicy, ecrRepositoryArn, imagePullStatements } from "../components/metadata-service";
import { allPolicies } from "../policies/all";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { evaluate, messagesOf } from "./helpers/policies";
import {
    DEV,
    IMAGE,
    SUBNETS,
    T,
    VPC_CIDR,
    bySid,
    containersOf,
    ingressInto,
    network,
    policyConfig,
    recordService,
    sgId,
    statementsOf,
    type Outputs,
} from "./helpers/metadata-fixtures";

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
