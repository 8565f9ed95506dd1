import { expect } from "chai";
import { readFileSync } from "fs";
import * as path from "path";
import { unknownCheckingProxy, type Policy } from "@pulumi/policy";
import {
    apiGatewayAuth,
    dynamodbEncryptedPitr,
    ecsNoPlaintextSecrets,
    ecsNoPublicIp,
    iamNoPassRoleWildcard,
    iamNoWildcardAdmin,
    kmsKeyRotation,
    launchTemplateImdsv2,
    loadBalancerInternal,
    logGroupRetention,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsEncrypted,
    rdsNotPublic,
    secretsManagerKms,
    securityGroupNoPublicIngress,
    securityPolicies,
    snsTopicEncrypted,
    ssmParameterSecure,
} from "../policies/security";
import { normalizeName, secretLookingValue } from "../policies/security/secret-detection";
import type { RecordedResource } from "../tools/mocks/runtime";
import type { Evaluation, PolicyPackConfigFile } from "../tools/policy/evaluate";
import { evaluate, fakeResource } from "./helpers/policies";

const ACCOUNT = "123456789012";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mlp-dev-metadata-db-AbCdEf`;
/** How the engine marks a string input that is unknown during a preview. */
const UNKNOWN_STRING = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

function withInputs(r: RecordedResource, inputs: Record<string, unknown>): RecordedResource {
    return { ...r, inputs: { ...r.inputs, ...inputs } };
}

/** The security entries of a stack's policy config file (the file as `--policy-pack-config` takes it). */
function envConfig(env: string): PolicyPackConfigFile {
    const file = JSON.parse(readFileSync(path.join(__dirname, "..", "policies", "config", `${env}.json`), "utf8")) as PolicyPackConfigFile;
    const names = new Set(securityPolicies.map((p) => p.name));
    return Object.fromEntries(Object.entries(file).filter(([k]) => k === "all" || names.has(k)));
}

/** One policy over the resources, with its own entry of `config` (so one config can serve several policies). */
async function check(policy: Policy, resources: RecordedResource[], config: PolicyPackConfigFile = {}): Promise<Evaluation> {
    const own = config[policy.name];
    return evaluate([policy], resources, own === undefined ? {} : { [policy.name]: own });
}

/** The policy's single violation: on this resource's URN, naming the resource; returns the message. */
function onlyViolation(result: Evaluation, policy: string, resource: RecordedResource): string {
    expect(result.violations.map((v) => `${v.policy}: ${v.message}`)).to.have.length(1);
    const [v] = result.violations;
    expect(v).to.include({ policy, urn: resource.urn, level: "mandatory" });
    expect(v.message).to.include(`'${resource.name}'`);
    return v.message;
}

async function expectCompliant(policy: Policy, resources: RecordedResource[], config: PolicyPackConfigFile = {}): Promise<void> {
    expect((await check(policy, resources, config)).violations.map((v) => v.message)).to.deep.equal([]);
}

describe("security policies", () => {
    describe("policy config", () => {
        for (const env of ["dev", "staging", "prod"]) {
            it(`${env}: names every security policy with valid config`, async () => {
                const config = JSON.parse(readFileSync(path.join(__dirname, "..", "policies", "config", `${env}.json`), "utf8")) as Record<string, unknown>;
                expect(securityPolicies.map((p) => p.name).filter((n) => !(n in config))).to.deep.equal([]);
                // Unknown or mistyped properties throw here, as the CLI rejects them.
                await evaluate(securityPolicies, [], envConfig(env));
            });
        }

        it("prod: every security policy is mandatory", async () => {
            const { levels } = await evaluate(securityPolicies, [], envConfig("prod"), "advisory");
            expect(Object.entries(levels).filter(([, l]) => l !== "mandatory")).to.deep.equal([]);
        });

        it("the level comes from the config: a table without point-in-time recovery is advisory in dev, mandatory in prod", async () => {
            const table = fakeResource("aws:dynamodb/table:Table", "state-table", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN } });
            const dev = await evaluate(securityPolicies, [table], envConfig("dev"), "advisory");
            const prod = await evaluate(securityPolicies, [table], envConfig("prod"), "advisory");
            expect(dev.violations.map((v) => [v.policy, v.level])).to.deep.equal([["dynamodb-encrypted-pitr", "advisory"]]);
            expect(prod.violations.map((v) => [v.policy, v.level])).to.deep.equal([["dynamodb-encrypted-pitr", "mandatory"]]);
        });

        it("prod: a database security group open to 0.0.0.0/0 is a mandatory violation", async () => {
            const sg = fakeResource("aws:ec2/securityGroup:SecurityGroup", "metadata-db-sg", { description: "metadata database", vpcId: "vpc-0abc" });
            const open = fakeResource(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "metadata-db-from-anywhere",
                { securityGroupId: "sg-0db", cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 },
                { propertyDependencies: { securityGroupId: [sg.urn] } },
            );
            const result = await evaluate(securityPolicies, [sg, open], envConfig("prod"), "advisory");
            expect(result.violations).to.have.length(1);
            expect(result.violations[0]).to.include({ policy: "security-group-no-public-ingress", level: "mandatory", urn: open.urn });
            expect(result.violations[0].message).to.include("'metadata-db-from-anywhere' allows port 5432 from 0.0.0.0/0");
        });

        it("prod: a password in an ECS task definition's environment is a mandatory violation", async () => {
            const containers = [{ name: "metadata", image: "netflixoss/metaflow_metadata_service:v2.4.12", environment: [{ name: "MF_METADATA_DB_PSWD", value: "hunter2hunter2" }] }];
            const task = fakeResource("aws:ecs/taskDefinition:TaskDefinition", "metadata-task", { family: "metadata", containerDefinitions: JSON.stringify(containers) });
            const result = await evaluate(securityPolicies, [task], envConfig("prod"), "advisory");
            expect(result.violations).to.have.length(1);
            expect(result.violations[0]).to.include({ policy: "ecs-no-plaintext-secrets", level: "mandatory", urn: task.urn });
            expect(result.violations[0].message).to.match(/'metadata-task', container 'metadata': environment variable MF_METADATA_DB_PSWD/);
        });
    });

    describe("RDS", () => {
        const instance = fakeResource("aws:rds/instance:Instance", "metadata-db", {
            engine: "postgres",
            engineVersion: "16.4",
            instanceClass: "db.t4g.micro",
            storageEncrypted: true,
            kmsKeyId: KEY_ARN,
            publiclyAccessible: false,
            backupRetentionPeriod: 14,
            deletionProtection: true,
            manageMasterUserPassword: true,
        });
        const cluster = fakeResource("aws:rds/cluster:Cluster", "metadata-aurora", {
            engine: "aurora-postgresql",
            storageEncrypted: true,
            kmsKeyId: KEY_ARN,
            backupRetentionPeriod: 14,
            deletionProtection: true,
        });
        const member = fakeResource("aws:rds/clusterInstance:ClusterInstance", "metadata-aurora-1", { clusterIdentifier: "metadata-aurora", instanceClass: "db.serverless", publiclyAccessible: false });
        const strict = { "rds-encrypted": { requireCustomerManagedKey: true }, "rds-backup-retention": { minimumDays: 7 }, "rds-deletion-protection": { requireDeletionProtection: true } };

        it("compliant: an encrypted, private, backed-up, protected instance and Aurora cluster", async () => {
            const result = await evaluate(securityPolicies, [instance, cluster, member], strict);
            expect(result.violations).to.deep.equal([]);
        });

        it("rds-encrypted noncompliant: no encryption", async () => {
            const bad = withInputs(instance, { storageEncrypted: false });
            expect(onlyViolation(await check(rdsEncrypted, [bad]), "rds-encrypted", bad)).to.match(/not encrypted at rest\. Set storageEncrypted: true/);
        });

        it("rds-encrypted noncompliant: a cluster with storageEncrypted unset", async () => {
            const bad = withInputs(cluster, { storageEncrypted: undefined });
            onlyViolation(await check(rdsEncrypted, [bad]), "rds-encrypted", bad);
        });

        it("rds-encrypted noncompliant: the default aws/rds key where a customer-managed key is required", async () => {
            const bad = withInputs(instance, { kmsKeyId: undefined });
            expect(onlyViolation(await check(rdsEncrypted, [bad], strict), "rds-encrypted", bad)).to.match(/requires a customer-managed key\. Set kmsKeyId/);
            await expectCompliant(rdsEncrypted, [bad]);
        });

        it("rds-not-public noncompliant: a public instance", async () => {
            const bad = withInputs(instance, { publiclyAccessible: true });
            expect(onlyViolation(await check(rdsNotPublic, [bad]), "rds-not-public", bad)).to.match(/has a public endpoint\. Set publiclyAccessible: false/);
        });

        it("rds-not-public noncompliant: a public Aurora cluster instance", async () => {
            const bad = withInputs(member, { publiclyAccessible: true });
            onlyViolation(await check(rdsNotPublic, [bad]), "rds-not-public", bad);
        });

        it("rds-backup-retention noncompliant: fewer days than the config minimum", async () => {
            const bad = withInputs(instance, { backupRetentionPeriod: 3 });
            const message = onlyViolation(await check(rdsBackupRetention, [bad], strict), "rds-backup-retention", bad);
            expect(message).to.match(/keeps automated backups for 3 day\(s\); this environment requires at least 7\. Set backupRetentionPeriod >= 7/);
            await expectCompliant(rdsBackupRetention, [bad], { "rds-backup-retention": { minimumDays: 1 } });
        });

        it("rds-backup-retention noncompliant: unset means the one-day default", async () => {
            const bad = withInputs(cluster, { backupRetentionPeriod: undefined });
            expect(onlyViolation(await check(rdsBackupRetention, [bad], strict), "rds-backup-retention", bad)).to.include("1 day (the default)");
        });

        it("rds-backup-retention compliant: read replicas and cluster instances carry no retention of their own", async () => {
            const replica = withInputs(instance, { backupRetentionPeriod: undefined, replicateSourceDb: "metadata-db" });
            await expectCompliant(rdsBackupRetention, [replica, member], strict);
        });

        it("rds-deletion-protection noncompliant: off where config requires it, not applicable where it does not", async () => {
            const bad = withInputs(cluster, { deletionProtection: false });
            expect(onlyViolation(await check(rdsDeletionProtection, [bad], strict), "rds-deletion-protection", bad)).to.match(/Set deletionProtection: true/);
            const dev = await check(rdsDeletionProtection, [bad], { "rds-deletion-protection": { requireDeletionProtection: false } });
            expect(dev.violations).to.deep.equal([]);
            expect(dev.notApplicable.map((n) => n.urn)).to.deep.equal([bad.urn]);
        });
    });

    describe("IAM", () => {
        const statements = [
            { Sid: "ReadArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::mlp-dev-artifacts", "arn:aws:s3:::mlp-dev-artifacts/*"] },
            // ecr:GetAuthorizationToken has no resource-level permissions.
            { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "PassJobRole", Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/mlp-dev-job`, Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
            { Sid: "DenyAllElse", Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ];
        const doc = (...extra: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: [...statements, ...extra] });
        const policy = fakeResource("aws:iam/policy:Policy", "job-policy", { policy: doc() });
        const role = fakeResource("aws:iam/role:Role", "job-role", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "job", policy: doc() }] });
        const attachment = fakeResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "job-readonly", { role: "job-role", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });

        it("compliant: scoped statements, a '*' resource only for an action without resource-level permissions, a Deny on '*'", async () => {
            const result = await evaluate([iamNoWildcardAdmin, iamNoPassRoleWildcard], [policy, role, attachment]);
            expect(result.violations).to.deep.equal([]);
        });

        const adminCases: [string, Record<string, unknown>, RegExp][] = [
            ['"*" on "*"', { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }, /statement 'Admin': allows every action \("\*"\) on every resource/],
            ['"s3:*" on "*"', { Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: ["arn:aws:s3:::b", "*"] }, /statement 5: allows every s3 action \("s3:\*"\)/],
            ["NotAction on '*'", { Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }, /allows every action except iam:\* on every resource/],
            ['"*" with NotResource', { Effect: "Allow", Action: "*", NotResource: "arn:aws:s3:::b" }, /allows every action/],
            ['"*" on "arn:aws:*:*:*:*"', { Effect: "Allow", Action: "*", Resource: "arn:aws:*:*:*:*" }, /allows every action/],
            ['"s3:*" on every bucket', { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" }, /allows every s3 action \("s3:\*"\) on every s3 resource \(arn:aws:s3:::\*\)/],
            ['"s3:*" on every object of every bucket', { Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::mlp-dev-artifacts", "arn:aws:s3:::*/*"] }, /on every s3 resource \(arn:aws:s3:::\*\/\*\)/],
            ['"iam:*" on the own account', { Effect: "Allow", Action: "iam:*", Resource: `arn:aws:iam::${ACCOUNT}:*` }, /allows every iam action \("iam:\*"\) on every iam resource/],
            ['"iam:*" on any account', { Effect: "Allow", Action: "IAM:*", Resource: "arn:aws:iam::*:*" }, /every iam action/],
            ['"dynamodb:*" on one region of the account', { Effect: "Allow", Action: "dynamodb:*", Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:*` }, /every dynamodb action/],
            ['"*" on every bucket', { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::*" }, /allows every action \("\*"\) on every s3 resource/],
            ["NotAction on every bucket", { Effect: "Allow", NotAction: "s3:DeleteBucket", Resource: "arn:aws:s3:::*" }, /every action except s3:DeleteBucket on every s3 resource/],
        ];
        for (const [label, statement, message] of adminCases) {
            it(`iam-no-wildcard-admin noncompliant: ${label}`, async () => {
                const bad = withInputs(policy, { policy: doc(statement) });
                expect(onlyViolation(await check(iamNoWildcardAdmin, [bad]), "iam-no-wildcard-admin", bad)).to.match(message);
            });
        }

        it('iam-no-wildcard-admin compliant: "*" actions on one resource are not admin', async () => {
            await expectCompliant(iamNoWildcardAdmin, [withInputs(policy, { policy: doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::mlp-dev-artifacts/*" }) })]);
        });

        it('iam-no-wildcard-admin compliant: a service\'s "*" on another service\'s every resource, or on one resource type, is not admin', async () => {
            const statements = [
                { Effect: "Allow", Action: "s3:*", Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:*` },
                { Effect: "Allow", Action: "dynamodb:*", Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*` },
                { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" },
                { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::*" },
            ];
            await expectCompliant(iamNoWildcardAdmin, [withInputs(policy, { policy: doc(...statements) })]);
        });

        it("iam-no-wildcard-admin noncompliant: in a role's inline policy", async () => {
            const bad = withInputs(role, { inlinePolicies: [{ name: "job", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }] });
            expect(onlyViolation(await check(iamNoWildcardAdmin, [bad]), "iam-no-wildcard-admin", bad)).to.include("inline policy 'job'");
        });

        it("iam-no-wildcard-admin noncompliant: in a role policy, a user policy and a group policy", async () => {
            for (const type of ["aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"]) {
                const bad = fakeResource(type, "inline", { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) });
                onlyViolation(await check(iamNoWildcardAdmin, [bad]), "iam-no-wildcard-admin", bad);
            }
        });

        it("iam-no-wildcard-admin noncompliant: AdministratorAccess attached or listed in managedPolicyArns", async () => {
            const attached = withInputs(attachment, { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
            expect(onlyViolation(await check(iamNoWildcardAdmin, [attached]), "iam-no-wildcard-admin", attached)).to.include("attaches the AWS managed policy AdministratorAccess");
            const listed = withInputs(role, { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] });
            onlyViolation(await check(iamNoWildcardAdmin, [listed]), "iam-no-wildcard-admin", listed);
        });

        const passRoleCases: [string, Record<string, unknown>][] = [
            ['iam:PassRole on "*"', { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringEquals: { "iam:PassedToService": "batch.amazonaws.com" } } }],
            ["iam:Pass* on every role of the account", { Effect: "Allow", Action: "iam:Pass*", Resource: `arn:aws:iam::${ACCOUNT}:role/*` }],
            ["NotAction that leaves PassRole in", { Effect: "Allow", NotAction: "s3:*", Resource: "*" }],
        ];
        for (const [label, statement] of passRoleCases) {
            it(`iam-no-passrole-wildcard noncompliant: ${label}`, async () => {
                const bad = withInputs(policy, { policy: doc(statement) });
                expect(onlyViolation(await check(iamNoPassRoleWildcard, [bad]), "iam-no-passrole-wildcard", bad)).to.match(/allows iam:PassRole on every role.*Scope iam:PassRole/);
            });
        }

        it("iam-no-passrole-wildcard compliant: NotAction that excludes iam:*", async () => {
            await expectCompliant(iamNoPassRoleWildcard, [withInputs(policy, { policy: doc({ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }) })]);
        });
    });

    describe("security-group-no-public-ingress", () => {
        const policyConfig = { "security-group-no-public-ingress": { publicLoadBalancers: ["ui-alb"] } };
        const lbSg = fakeResource("aws:ec2/securityGroup:SecurityGroup", "ui-alb-sg", { vpcId: "vpc-0abc", description: "UI load balancer" });
        const httpsIn = fakeResource(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "ui-alb-https",
            { securityGroupId: "sg-0ui", cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 },
            { propertyDependencies: { securityGroupId: [lbSg.urn] } },
        );
        const lb = fakeResource(
            "aws:lb/loadBalancer:LoadBalancer",
            "ui-alb",
            { internal: false, loadBalancerType: "application", securityGroups: ["sg-0ui"] },
            { propertyDependencies: { securityGroups: [lbSg.urn] } },
        );
        const dbSg = fakeResource("aws:ec2/securityGroup:SecurityGroup", "db-sg", {
            vpcId: "vpc-0abc",
            ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-0svc"] }],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        });
        const compliant = () => [lbSg, httpsIn, lb, dbSg];
        const check443 = (resources: RecordedResource[]) => check(securityGroupNoPublicIngress, resources, policyConfig);

        it("compliant: 443 from anywhere on a listed public load balancer, everything else from security groups", async () => {
            expect((await check443(compliant())).violations).to.deep.equal([]);
        });

        it("compliant: the load balancer's group matched by id when no dependency is recorded", async () => {
            const noDeps = compliant().map((r) => ({ ...r, propertyDependencies: {} }));
            expect((await check443(noDeps)).violations).to.deep.equal([]);
        });

        it("noncompliant: 443 open on a load balancer that config does not list", async () => {
            const result = await check(securityGroupNoPublicIngress, compliant());
            expect(onlyViolation(result, "security-group-no-public-ingress", httpsIn)).to.match(/allows port 443 from 0\.0\.0\.0\/0\. Restrict the source/);
        });

        it("noncompliant: port 80 on the public load balancer", async () => {
            const http = withInputs(httpsIn, { fromPort: 80, toPort: 80 });
            onlyViolation(await check443([lbSg, http, lb]), "security-group-no-public-ingress", http);
        });

        it("noncompliant: inline ingress on all protocols from 0.0.0.0/0", async () => {
            const bad = withInputs(dbSg, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
            expect(onlyViolation(await check443([lbSg, httpsIn, lb, bad]), "security-group-no-public-ingress", bad)).to.include("(inline ingress) allows all ports from 0.0.0.0/0");
        });

        it("preview: a rule whose source is still unknown is skipped, the others are still checked", async () => {
            const pending = { ...httpsIn, name: "pending", urn: `${httpsIn.urn}-pending`, inputs: unknownCheckingProxy({ ...httpsIn.inputs, fromPort: 5432, toPort: 5432, cidrIpv4: UNKNOWN_STRING }) };
            const previewLb = { ...lb, inputs: unknownCheckingProxy({ ...lb.inputs, securityGroups: [UNKNOWN_STRING] }) };
            const open = withInputs(httpsIn, { fromPort: 22, toPort: 22 });
            const result = await check443([lbSg, httpsIn, previewLb, pending, { ...open, name: "ssh", urn: `${open.urn}-ssh` }]);
            expect(result.violations.map((v) => v.urn)).to.deep.equal([`${open.urn}-ssh`]);
        });

        it("noncompliant: a SecurityGroupRule from ::/0, but not an egress rule", async () => {
            const ssh = fakeResource("aws:ec2/securityGroupRule:SecurityGroupRule", "ssh", { type: "ingress", securityGroupId: "sg-0db", protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] });
            const egress = fakeResource("aws:ec2/securityGroupRule:SecurityGroupRule", "out", { type: "egress", securityGroupId: "sg-0db", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
            expect(onlyViolation(await check443([...compliant(), ssh, egress]), "security-group-no-public-ingress", ssh)).to.include("allows port 22 from ::/0");
        });
    });

    describe("load-balancer-internal", () => {
        const lb = fakeResource("aws:lb/loadBalancer:LoadBalancer", "metadata-nlb", { internal: true, loadBalancerType: "network", name: "mlp-dev-metadata" });

        it("compliant: internal", async () => {
            await expectCompliant(loadBalancerInternal, [lb]);
        });

        it("noncompliant: internet-facing, and internal unset (the default is internet-facing)", async () => {
            for (const bad of [withInputs(lb, { internal: false }), withInputs(lb, { internal: undefined })]) {
                expect(onlyViolation(await check(loadBalancerInternal, [bad]), "load-balancer-internal", bad)).to.match(/is internet-facing.*publicLoadBalancers/);
            }
        });

        it("compliant: internet-facing when config lists it by Pulumi name or AWS name", async () => {
            const bad = withInputs(lb, { internal: false });
            await expectCompliant(loadBalancerInternal, [bad], { "load-balancer-internal": { publicLoadBalancers: ["metadata-nlb"] } });
            await expectCompliant(loadBalancerInternal, [bad], { "load-balancer-internal": { publicLoadBalancers: ["mlp-dev-metadata"] } });
        });

        it("noncompliant: an internet-facing aws.alb.LoadBalancer", async () => {
            const alb = fakeResource("aws:alb/loadBalancer:LoadBalancer", "ui-alb", { internal: false });
            onlyViolation(await check(loadBalancerInternal, [alb]), "load-balancer-internal", alb);
        });
    });

    describe("api-gateway-auth", () => {
        const method = fakeResource("aws:apigateway/method:Method", "metadata-proxy-any", { restApi: "api", resourceId: "res", httpMethod: "ANY", authorization: "NONE", apiKeyRequired: true });

        it("compliant: an API key, or an IAM authorizer", async () => {
            await expectCompliant(apiGatewayAuth, [method, withInputs(method, { apiKeyRequired: false, authorization: "AWS_IAM" })]);
        });

        it("noncompliant: no API key and no authorizer", async () => {
            const bad = withInputs(method, { apiKeyRequired: false });
            expect(onlyViolation(await check(apiGatewayAuth, [bad]), "api-gateway-auth", bad)).to.match(/\(ANY\) can be called without credentials\. Set apiKeyRequired: true/);
        });

        it("compliant: CORS preflight (OPTIONS) without credentials", async () => {
            await expectCompliant(apiGatewayAuth, [withInputs(method, { httpMethod: "OPTIONS", apiKeyRequired: false })]);
        });

        it("noncompliant: an HTTP API route without an authorizer; compliant with JWT", async () => {
            const route = fakeResource("aws:apigatewayv2/route:Route", "ui-route", { apiId: "api", routeKey: "GET /api/{proxy+}", authorizationType: "NONE" });
            expect(onlyViolation(await check(apiGatewayAuth, [route]), "api-gateway-auth", route)).to.include("(GET /api/{proxy+})");
            await expectCompliant(apiGatewayAuth, [withInputs(route, { authorizationType: "JWT" })]);
        });
    });

    describe("launch-template-imdsv2", () => {
        const template = fakeResource("aws:ec2/launchTemplate:LaunchTemplate", "batch-lt", { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 } });

        it("compliant: httpTokens required, or the metadata endpoint off", async () => {
            await expectCompliant(launchTemplateImdsv2, [template, withInputs(template, { metadataOptions: { httpEndpoint: "disabled" } })]);
        });

        it("noncompliant: httpTokens optional, and metadataOptions unset", async () => {
            for (const bad of [withInputs(template, { metadataOptions: { httpTokens: "optional" } }), withInputs(template, { metadataOptions: undefined })]) {
                expect(onlyViolation(await check(launchTemplateImdsv2, [bad]), "launch-template-imdsv2", bad)).to.match(/allows IMDSv1.*httpTokens: "required"/);
            }
        });

        it("noncompliant: an EC2 instance with IMDSv1", async () => {
            const instance = fakeResource("aws:ec2/instance:Instance", "bastion", { instanceType: "t4g.nano", metadataOptions: { httpTokens: "optional" } });
            onlyViolation(await check(launchTemplateImdsv2, [instance]), "launch-template-imdsv2", instance);
        });
    });

    describe("ECS", () => {
        const container = {
            name: "metadata",
            image: "netflixoss/metaflow_metadata_service:v2.4.12",
            environment: [
                { name: "MF_METADATA_DB_HOST", value: "metadata-db.cluster-abc.us-east-1.rds.amazonaws.com" },
                { name: "MF_METADATA_DB_USER", value: "metaflow" },
                { name: "DB_SECRET_ARN", value: SECRET_ARN },
                { name: "TOKENIZER_NAME", value: "bert-base-uncased" },
                { name: "IMAGE_DIGEST", value: "sha256:3f5a9c0e1b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d" },
            ],
            secrets: [{ name: "MF_METADATA_DB_PSWD", valueFrom: `${SECRET_ARN}:password::` }],
        };
        const task = fakeResource("aws:ecs/taskDefinition:TaskDefinition", "metadata-task", { family: "metadata", containerDefinitions: JSON.stringify([container]) });
        const withEnv = (name: string, value: string) =>
            withInputs(task, { containerDefinitions: JSON.stringify([{ ...container, environment: [...container.environment, { name, value }] }]) });

        it("compliant: plain settings in the environment, the password through secrets", async () => {
            await expectCompliant(ecsNoPlaintextSecrets, [task]);
        });

        const cases: [string, string, string, RegExp][] = [
            ["a password by name", "MF_METADATA_DB_PSWD", "hunter2", /MF_METADATA_DB_PSWD holds a secret-looking name with a literal value/],
            ["an API key by name (camelCase)", "metaflowServiceApiKey", "abc", /metaflowServiceApiKey holds/],
            ["an AWS access key id by value", "SOME_SETTING", "AKIAIOSFODNN7EXAMPLE", /holds an AWS access key id/],
            ["a private key by value", "TLS", "-----BEGIN PRIVATE KEY-----\nMIIE...", /holds a PEM private key/],
            ["credentials in a URL", "DATABASE_URL", "postgresql://metaflow:s3cret@db:5432/metaflow", /holds a URL with embedded credentials/],
            ["a random token by value", "UPSTREAM", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", /holds a long random token/],
        ];
        for (const [label, name, value, message] of cases) {
            it(`ecs-no-plaintext-secrets noncompliant: ${label}`, async () => {
                const bad = withEnv(name, value);
                expect(onlyViolation(await check(ecsNoPlaintextSecrets, [bad]), "ecs-no-plaintext-secrets", bad)).to.match(message).and.to.include("pass it through the container's `secrets`");
            });
        }

        it("ecs-no-plaintext-secrets: a reviewed name in allowedNames passes", async () => {
            await expectCompliant(ecsNoPlaintextSecrets, [withEnv("PASSWORD_POLICY", "min-length-12")], { "ecs-no-plaintext-secrets": { allowedNames: ["PASSWORD_POLICY"] } });
        });

        const service = fakeResource("aws:ecs/service:Service", "metadata-service", { launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: false } });

        it("ecs-no-public-ip compliant: no public IP", async () => {
            await expectCompliant(ecsNoPublicIp, [service]);
        });

        it("ecs-no-public-ip noncompliant: assignPublicIp true", async () => {
            const bad = withInputs(service, { networkConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: true } });
            expect(onlyViolation(await check(ecsNoPublicIp, [bad]), "ecs-no-public-ip", bad)).to.include("Set networkConfiguration.assignPublicIp: false");
        });
    });

    describe("data at rest", () => {
        const key = fakeResource("aws:kms/key:Key", "metadata-key", { enableKeyRotation: true, deletionWindowInDays: 30 });

        it("kms-key-rotation compliant: rotation on; asymmetric and HMAC keys are not applicable", async () => {
            const signing = fakeResource("aws:kms/key:Key", "signing-key", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" });
            const hmac = fakeResource("aws:kms/key:Key", "hmac-key", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" });
            const result = await check(kmsKeyRotation, [key, signing, hmac]);
            expect(result.violations).to.deep.equal([]);
            expect(result.notApplicable.map((n) => n.urn)).to.deep.equal([signing.urn, hmac.urn]);
        });

        it("kms-key-rotation noncompliant: rotation off", async () => {
            const bad = withInputs(key, { enableKeyRotation: false });
            expect(onlyViolation(await check(kmsKeyRotation, [bad]), "kms-key-rotation", bad)).to.include("Set enableKeyRotation: true");
        });

        const logs = fakeResource("aws:cloudwatch/logGroup:LogGroup", "metadata-logs", { retentionInDays: 30, kmsKeyId: KEY_ARN });
        const prodLogs = { "log-group-retention": { minimumDays: 30, maximumDays: 365, requireKms: true } };

        it("log-group-retention compliant: retention within bounds, encrypted", async () => {
            await expectCompliant(logGroupRetention, [logs], prodLogs);
        });

        it("log-group-retention noncompliant: kept forever (unset or 0)", async () => {
            for (const bad of [withInputs(logs, { retentionInDays: undefined }), withInputs(logs, { retentionInDays: 0 })]) {
                expect(onlyViolation(await check(logGroupRetention, [bad]), "log-group-retention", bad)).to.include("keeps its events forever. Set retentionInDays between 1 and 3653");
            }
        });

        it("log-group-retention noncompliant: outside the configured bounds", async () => {
            for (const days of [14, 400]) {
                const bad = withInputs(logs, { retentionInDays: days });
                expect(onlyViolation(await check(logGroupRetention, [bad], prodLogs), "log-group-retention", bad)).to.include(`for ${days} days; this environment requires between 30 and 365`);
            }
        });

        it("log-group-retention noncompliant: no KMS key where config requires one", async () => {
            const bad = withInputs(logs, { kmsKeyId: undefined });
            expect(onlyViolation(await check(logGroupRetention, [bad], prodLogs), "log-group-retention", bad)).to.include("not encrypted with a KMS key");
            await expectCompliant(logGroupRetention, [bad]);
        });

        it("sns-topic-encrypted: compliant with a key, noncompliant without", async () => {
            const topic = fakeResource("aws:sns/topic:Topic", "alerts", { kmsMasterKeyId: KEY_ARN });
            await expectCompliant(snsTopicEncrypted, [topic]);
            const bad = withInputs(topic, { kmsMasterKeyId: undefined });
            expect(onlyViolation(await check(snsTopicEncrypted, [bad]), "sns-topic-encrypted", bad)).to.include("Set kmsMasterKeyId");
        });

        const table = fakeResource("aws:dynamodb/table:Table", "step-functions-state", {
            billingMode: "PAY_PER_REQUEST",
            serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
            pointInTimeRecovery: { enabled: true },
        });

        it("dynamodb-encrypted-pitr compliant: KMS encryption and point-in-time recovery", async () => {
            await expectCompliant(dynamodbEncryptedPitr, [table]);
        });

        it("dynamodb-encrypted-pitr noncompliant: the AWS-owned key", async () => {
            const bad = withInputs(table, { serverSideEncryption: undefined });
            expect(onlyViolation(await check(dynamodbEncryptedPitr, [bad]), "dynamodb-encrypted-pitr", bad)).to.include("uses the AWS-owned key");
        });

        it("dynamodb-encrypted-pitr noncompliant: no point-in-time recovery", async () => {
            const bad = withInputs(table, { pointInTimeRecovery: { enabled: false } });
            expect(onlyViolation(await check(dynamodbEncryptedPitr, [bad]), "dynamodb-encrypted-pitr", bad)).to.include("pointInTimeRecovery: { enabled: true }");
        });

        it("secrets-manager-kms: compliant with a customer-managed key, noncompliant without", async () => {
            const secret = fakeResource("aws:secretsmanager/secret:Secret", "metadata-db-secret", { kmsKeyId: KEY_ARN, recoveryWindowInDays: 7 });
            await expectCompliant(secretsManagerKms, [secret]);
            const bad = withInputs(secret, { kmsKeyId: undefined });
            expect(onlyViolation(await check(secretsManagerKms, [bad]), "secrets-manager-kms", bad)).to.include("Set kmsKeyId");
        });

        const parameter = fakeResource("aws:ssm/parameter:Parameter", "metaflow-service-url", {
            name: "/ml-platform/dev/metaflow/METAFLOW_SERVICE_URL",
            type: "String",
            value: "https://abc123.execute-api.us-east-1.amazonaws.com/api",
        });

        it("ssm-parameter-secure compliant: a plain setting as String, a secret as SecureString", async () => {
            const key = fakeResource("aws:ssm/parameter:Parameter", "auth-key", { name: "/ml-platform/dev/metaflow/METAFLOW_SERVICE_AUTH_KEY", type: "SecureString", value: "k3y" });
            await expectCompliant(ssmParameterSecure, [parameter, key]);
        });

        it("ssm-parameter-secure noncompliant: a secret-looking name as a String", async () => {
            const bad = withInputs(parameter, { name: "/ml-platform/dev/metaflow/service-auth-key", value: "k3y" });
            expect(onlyViolation(await check(ssmParameterSecure, [bad]), "ssm-parameter-secure", bad)).to.include('Make it type "SecureString"');
        });

        it("ssm-parameter-secure noncompliant: a JSON config with an auth key inside, as a String", async () => {
            const bad = withInputs(parameter, { name: "/ml-platform/dev/metaflow/config", value: JSON.stringify({ METAFLOW_SERVICE_URL: "https://x", METAFLOW_SERVICE_AUTH_KEY: "k3y" }) });
            expect(onlyViolation(await check(ssmParameterSecure, [bad]), "ssm-parameter-secure", bad)).to.include("(/ml-platform/dev/metaflow/config.METAFLOW_SERVICE_AUTH_KEY)");
        });
    });

    describe("secret detection", () => {
        it("normalizes names from any case and path", () => {
            expect(["dbPassword", "db-password", "/ml-platform/dev/db.password"].map(normalizeName)).to.deep.equal(["DB_PASSWORD", "DB_PASSWORD", "DB_PASSWORD"]);
        });

        it("does not mistake ordinary values for secrets", () => {
            const ordinary = [
                "3f5a9c0e1b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d",
                `arn:aws:iam::${ACCOUNT}:role/mlp-dev-metadata-task-execution-role`,
                "s3://mlp-dev-artifacts-1a2b3c4/metaflow",
                "mlp-dev-metadata-service-task-definition-v2",
                "MetaflowMetadataServiceTaskDefinition2024",
                "https://internal-mlp-dev-metadata-123456.us-east-1.elb.amazonaws.com",
            ];
            expect(ordinary.filter((v) => secretLookingValue(v) !== undefined)).to.deep.equal([]);
        });
    });
});
