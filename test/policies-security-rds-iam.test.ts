import { expect } from "chai";
import { readFileSync } from "fs";
import * as path from "path";
import {
    iamNoPassRoleWildcard,
    iamNoWildcardAdmin,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsEncrypted,
    rdsNotPublic,
    securityPolicies,
} from "../policies/security";
import type { PolicyPackConfigFile } from "../tools/policy/evaluate";
import { evaluate, fakeResource } from "./helpers/policies";
import { ACCOUNT, KEY_ARN, check, expectCompliant, onlyViolation, withInputs } from "./helpers/security-fixtures";

/** The security entries of a stack's policy config file (the file as `--policy-pack-config` takes it). */
function envConfig(env: string): PolicyPackConfigFile {
    const file = JSON.parse(readFileSync(path.join(__dirname, "..", "policies", "config", `${env}.json`), "utf8")) as PolicyPackConfigFile;
    const names = new Set(securityPolicies.map((p) => p.name));
    return Object.fromEntries(Object.entries(file).filter(([k]) => k === "all" || names.has(k)));
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
});
