import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MetadataService, type MetadataUiOptions } from "../components/metadata-service";
import { allPolicies } from "../policies/all";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { evaluate } from "./helpers/policies";
import {
    BUCKET_ARN,
    CERT,
    DATASTORE_KEY,
    DEV,
    INTERNAL_UI,
    PROD,
    SUBNETS,
    T,
    UI_CERT,
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
