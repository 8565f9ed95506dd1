import { expect } from "chai";
import {
    dynamodbEncryptedPitr,
    ecsNoPlaintextSecrets,
    ecsNoPublicIp,
    kmsKeyRotation,
    logGroupRetention,
    secretsManagerKms,
    snsTopicEncrypted,
    ssmParameterSecure,
} from "../policies/security";
import { normalizeName, secretLookingValue } from "../policies/security/secret-detection";
import { fakeResource } from "./helpers/policies";
import { ACCOUNT, KEY_ARN, check, expectCompliant, onlyViolation, withInputs } from "./helpers/security-fixtures";

const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mlp-dev-metadata-db-AbCdEf`;

describe("security policies", () => {
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
