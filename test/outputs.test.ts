import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { decodeRawConfig, parsePlatformConfig, type PlatformConfig } from "../stacks/config";
import { METAFLOW_CONFIG_KEYS, metaflowConfig, type MetaflowConfig, type MetaflowConfigSources } from "../stacks/metaflow-config";
import { OPTIONAL_OUTPUTS, STACK_OUTPUT_NAMES, type StackOutputs } from "../stacks/outputs";
import { program } from "../stacks/program";
import { runUnderMocks, type MockRunResult, type RecordedResource } from "../tools/mocks/runtime";
import { loadStackReferenceFixtures } from "../tools/plan/fixtures";
import { REPO_ROOT } from "../tools/plan/plan";
import { loadStackFiles } from "../tools/plan/stack-files";
import { ofType, one, parseJson, record } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { STACKS } from "./helpers/stacks";

/** Every key the client reads that the platform sets whatever the stack's options. */
const ALWAYS: readonly (keyof MetaflowConfig)[] = [
    "METAFLOW_DEFAULT_DATASTORE",
    "METAFLOW_DATASTORE_SYSROOT_S3",
    "METAFLOW_DATATOOLS_S3ROOT",
    "METAFLOW_DEFAULT_METADATA",
    "METAFLOW_SERVICE_URL",
    "METAFLOW_SERVICE_INTERNAL_URL",
    "METAFLOW_BATCH_JOB_QUEUE",
    "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
    "METAFLOW_SFN_IAM_ROLE",
    "METAFLOW_SFN_DYNAMO_DB_TABLE",
    "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE",
    "METAFLOW_SFN_STATE_MACHINE_PREFIX",
    "METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN",
];

const LB = "aws:lb/loadBalancer:LoadBalancer";
const RECORD = "aws:route53/record:Record";

/** The stack's real program under mocks with its real Pulumi.<stack>.yaml and the upstream fixtures. */
async function runStack(stack: string): Promise<{ run: MockRunResult<StackOutputs>; config: PlatformConfig }> {
    const files = loadStackFiles(REPO_ROOT, stack);
    const run = await runUnderMocks(
        { project: files.project, stack, config: files.config, secretKeys: files.secretKeys, stackReferences: loadStackReferenceFixtures(REPO_ROOT) },
        program as unknown as () => Promise<StackOutputs>,
    );
    return { run, config: parsePlatformConfig(decodeRawConfig(files.config), stack) };
}

function maybeOne(resources: readonly RecordedResource[], type: string, name: string): RecordedResource | undefined {
    const found = resources.filter((r) => r.type === type && r.name === name);
    expect(found.length, `${type} '${name}'`).to.be.at.most(1);
    return found[0];
}

/**
 * The URL a load balancer is reached at: its own DNS name, or the Route 53 alias record that points
 * at it (then over HTTPS, which is what the record exists for).
 */
function urlOf(resources: readonly RecordedResource[], lb: RecordedResource, recordName: string): string {
    const record = maybeOne(resources, RECORD, recordName);
    if (!record) return `http://${lb.state.dnsName}`;
    expect(record.inputs.aliases.map((a: { name: string }) => a.name)).to.deep.equal([lb.state.dnsName]);
    return `https://${record.inputs.name}`;
}

describe("metaflowConfig()", () => {
    const SOURCES: MetaflowConfigSources = {
        artifactStore: { datastoreRoot: "s3://b/metaflow", dataToolsRoot: "s3://b/data" },
        compute: { cpuQueueName: "q", jobRoleArn: "arn:aws:iam::1:role/job" },
        metadata: { serviceUrl: "http://lb", internalServiceUrl: "http://lb" },
        orchestrator: { stepFunctionsRoleArn: "sfn", eventBridgeRoleArn: "events", dynamoDbTableName: "t", stateMachinePrefix: "mlp-dev-flow", executionLogDestinationArn: "lg:*" },
        client: { batchContainerImage: "python:3.12-slim" },
    };

    it("sets the container image from config, and leaves out what the stack does not have", () => {
        const config = metaflowConfig(SOURCES);
        expect(config.METAFLOW_BATCH_CONTAINER_IMAGE).to.equal("python:3.12-slim");
        for (const absent of ["METAFLOW_BATCH_CONTAINER_REGISTRY", "METAFLOW_SERVICE_AUTH_KEY", "METAFLOW_UI_URL"]) {
            expect(config, absent).not.to.have.property(absent);
        }
        expect(METAFLOW_CONFIG_KEYS).to.include.members(Object.keys(config));
    });

    it("makes the auth key a secret of its own", async () => {
        const { outputs } = await record(async () => {
            const config = metaflowConfig({ ...SOURCES, metadata: { ...SOURCES.metadata, apiKey: "k3y" } });
            return { key: await resolve(config.METAFLOW_SERVICE_AUTH_KEY), secret: await pulumi.isSecret(pulumi.output(config.METAFLOW_SERVICE_AUTH_KEY)) };
        });
        expect(outputs).to.deep.equal({ key: "k3y", secret: true });
    });
});

for (const stack of STACKS) {
    describe(`stack outputs (${stack})`, () => {
        let resources: RecordedResource[];
        let outputs: StackOutputs;
        let mf: MetaflowConfig;
        let secretOutputs: string[];
        let displayOutputs: any;
        let config: PlatformConfig;
        const p = `mlp-${stack}`;

        before(async () => {
            const { run, config: parsed } = await runStack(stack);
            ({ resources, outputs, secretOutputs, displayOutputs } = run);
            mf = outputs.metaflowConfig;
            config = parsed;
        });

        describe("metaflowConfig", () => {
            it("holds exactly the keys this stack's resources and config call for, spelled as Metaflow reads them", () => {
                const apiKey = maybeOne(resources, "aws:apigateway/apiKey:ApiKey", `${p}-metadata-gateway-key`);
                const ui = maybeOne(resources, LB, `${p}-metadata-ui-lb`);
                const expected = [
                    ...ALWAYS,
                    ...(apiKey ? ["METAFLOW_SERVICE_AUTH_KEY"] : []),
                    ...(ui ? ["METAFLOW_UI_URL"] : []),
                    ...(config.metaflow.batchContainerImage ? ["METAFLOW_BATCH_CONTAINER_IMAGE"] : []),
                    ...(config.metaflow.batchContainerRegistry ? ["METAFLOW_BATCH_CONTAINER_REGISTRY"] : []),
                ];
                expect(Object.keys(mf)).to.have.members(expected);
                expect(METAFLOW_CONFIG_KEYS).to.include.members(Object.keys(mf));
                expect(Object.values(mf).every((v) => typeof v === "string" && v.length > 0), "every value is a non-empty string").to.equal(true);
            });

            it("uses the S3 datastore in the artifact store bucket and the metadata service", () => {
                const bucket = one(resources, "aws:s3/bucket:Bucket", `${p}-artifacts-bucket`);
                expect(mf.METAFLOW_DEFAULT_DATASTORE).to.equal("s3");
                expect(mf.METAFLOW_DATASTORE_SYSROOT_S3).to.equal(`s3://${bucket.state.bucket}/metaflow`);
                expect(mf.METAFLOW_DATATOOLS_S3ROOT).to.equal(`s3://${bucket.state.bucket}/data`);
                expect(mf.METAFLOW_DEFAULT_METADATA).to.equal("service");
            });

            it("names the metadata service: the API gateway stage when there is one, the internal load balancer for jobs", () => {
                const internal = urlOf(resources, one(resources, LB, `${p}-metadata-api-lb`), `${p}-metadata-dns`);
                const stage = maybeOne(resources, "aws:apigateway/stage:Stage", `${p}-metadata-gateway-stage`);
                expect(mf.METAFLOW_SERVICE_INTERNAL_URL).to.equal(internal);
                expect(mf.METAFLOW_SERVICE_URL).to.equal(stage ? stage.state.invokeUrl : internal);
            });

            it("carries the API key of the gateway as the auth key, when there is a gateway", () => {
                const apiKey = maybeOne(resources, "aws:apigateway/apiKey:ApiKey", `${p}-metadata-gateway-key`);
                expect(mf.METAFLOW_SERVICE_AUTH_KEY).to.equal(apiKey?.state.value);
            });

            it("names the UI when the stack has one", () => {
                const ui = maybeOne(resources, LB, `${p}-metadata-ui-lb`);
                expect(mf.METAFLOW_UI_URL).to.equal(ui ? urlOf(resources, ui, `${p}-metadata-ui-dns`) : undefined);
            });

            it("submits to the spot CPU queue as the Batch job role", () => {
                expect(mf.METAFLOW_BATCH_JOB_QUEUE).to.equal(one(resources, "aws:batch/jobQueue:JobQueue", `${p}-compute-cpu-queue`).inputs.name);
                expect(mf.METAFLOW_ECS_S3_ACCESS_IAM_ROLE).to.equal(one(resources, "aws:iam/role:Role", `${p}-compute-job-role`).state.arn);
            });

            it("names the orchestrator's roles, table, prefix and execution log group", () => {
                const logGroup = one(resources, "aws:cloudwatch/logGroup:LogGroup", `${p}-orchestrator-executions`);
                expect(mf.METAFLOW_SFN_IAM_ROLE).to.equal(one(resources, "aws:iam/role:Role", `${p}-orchestrator-sfn`).state.arn);
                expect(mf.METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE).to.equal(one(resources, "aws:iam/role:Role", `${p}-orchestrator-events`).state.arn);
                expect(mf.METAFLOW_SFN_DYNAMO_DB_TABLE).to.equal(one(resources, "aws:dynamodb/table:Table", `${p}-orchestrator-state`).state.name);
                expect(mf.METAFLOW_SFN_STATE_MACHINE_PREFIX).to.equal(`${p}-flow`);
                // Step Functions takes a log group destination with the ":*" suffix.
                expect(mf.METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN).to.equal(`${logGroup.state.arn}:*`);
            });

            it("names the state machines the EventBridge role may start and the failure rule watches", () => {
                const events = parseJson(one(resources, "aws:iam/rolePolicy:RolePolicy", `${p}-orchestrator-events-policy`).inputs.policy);
                expect(events.Statement[0].Resource).to.match(new RegExp(`:stateMachine:${mf.METAFLOW_SFN_STATE_MACHINE_PREFIX}\\*$`));
                const rule = parseJson(one(resources, "aws:cloudwatch/eventRule:EventRule", `${p}-orchestrator-failed-executions`).inputs.eventPattern);
                expect(rule.detail.stateMachineArn[0].prefix).to.match(new RegExp(`:stateMachine:${mf.METAFLOW_SFN_STATE_MACHINE_PREFIX}$`));
            });

            it("sets the container registry and image from config", () => {
                expect(mf.METAFLOW_BATCH_CONTAINER_REGISTRY).to.equal(config.metaflow.batchContainerRegistry);
                expect(mf.METAFLOW_BATCH_CONTAINER_IMAGE).to.equal(config.metaflow.batchContainerImage);
            });

            it("is secret exactly where it carries the auth key, and the key never shows in reports", () => {
                const expected = mf.METAFLOW_SERVICE_AUTH_KEY ? ["metaflowConfig.METAFLOW_SERVICE_AUTH_KEY"] : [];
                expect(secretOutputs.filter((s) => s.startsWith("metaflowConfig"))).to.deep.equal(expected);
                if (mf.METAFLOW_SERVICE_AUTH_KEY) {
                    expect(displayOutputs.metaflowConfig.METAFLOW_SERVICE_AUTH_KEY).to.equal("[secret]");
                    expect(JSON.stringify(displayOutputs)).not.to.contain(mf.METAFLOW_SERVICE_AUTH_KEY);
                }
            });
        });

        describe("Parameter Store", () => {
            it("holds the same Metaflow config JSON as a SecureString under the datastore key, redacted in reports", () => {
                const parameter = one(resources, "aws:ssm/parameter:Parameter", `${p}-parameters-metaflow-config`);
                expect(parameter.inputs.name).to.equal(`/ml-platform/${stack}/metaflow/config`);
                expect(parameter.inputs.type).to.equal("SecureString");
                expect(parameter.inputs.keyId).to.equal(one(resources, "aws:kms/key:Key", `${p}-artifacts-key`).state.arn);
                expect(JSON.parse(parameter.inputs.value)).to.deep.equal(mf);
                expect(parameter.displayInputs.value).to.equal("[secret]");
                expect(outputs.ssmMetaflowConfigParameter).to.equal(parameter.inputs.name);
            });

            it("publishes the queues, and the Dask scheduler and data lake buckets and Glue database exactly when the stack references them", () => {
                const values = Object.fromEntries(ofType(resources, "aws:ssm/parameter:Parameter").map((r) => [r.inputs.name, r.inputs.value]));
                const root = `/ml-platform/${stack}`;
                expect(values[`${root}/batch/queues/cpu`]).to.equal(outputs.cpuQueueName);
                expect(values[`${root}/batch/queues/gpu`]).to.equal(outputs.gpuQueueName);
                expect(values[`${root}/batch/queues/cpu-ondemand`]).to.equal(outputs.cpuOnDemandQueueName);
                const dask = config.daskStack ? loadStackReferenceFixtures(REPO_ROOT)[config.daskStack].outputs.schedulerAddress : undefined;
                expect(values[`${root}/dask/scheduler-address`]).to.equal(dask);
                const lake = config.dataLakeStack ? loadStackReferenceFixtures(REPO_ROOT)[config.dataLakeStack].outputs : undefined;
                expect(values[`${root}/datalake/raw-bucket`]).to.equal(lake?.rawBucketName);
                expect(values[`${root}/datalake/curated-bucket`]).to.equal(lake?.curatedBucketName);
                expect(values[`${root}/datalake/glue-database`]).to.equal(lake?.glueDatabaseName);
            });

            it("lets the job role read the whole tree, the hyperparameter namespace included, and decrypt SecureStrings through SSM", () => {
                const statements = parseJson(one(resources, "aws:iam/rolePolicy:RolePolicy", `${p}-compute-job-access`).inputs.policy).Statement as any[];
                const read = statements.find((s) => [s.Action].flat().includes("ssm:GetParametersByPath"));
                expect(read.Resource).to.include(`arn:aws:ssm:us-east-1:123456789012:parameter/ml-platform/${stack}/*`);
                expect(outputs.ssmPipelinesArnPattern.startsWith(read.Resource.find((r: string) => r.endsWith("/*")).slice(0, -1))).to.equal(true);
                const decrypt = statements.find((s) => s.Condition?.StringEquals?.["kms:ViaService"] === "ssm.us-east-1.amazonaws.com");
                expect(decrypt.Resource).to.equal(outputs.artifactKmsKeyArn);
            });
        });

        describe("roles that use the orchestrator's table and the parameters", () => {
            /** Every inline policy's statements, by policy name. */
            const policies = () => ofType(resources, "aws:iam/rolePolicy:RolePolicy").map((r) => ({ name: r.name, statements: parseJson(r.inputs.policy).Statement as any[] }));
            const grants = (statements: any[], action: string, resource: string) =>
                statements.some((st) => st.Effect === "Allow" && [st.Action].flat().includes(action) && [st.Resource].flat().includes(resource));

            it("may use the table's key wherever they may use the table", () => {
                const table = one(resources, "aws:dynamodb/table:Table", `${p}-orchestrator-state`).state.arn;
                const key = one(resources, "aws:kms/key:Key", `${p}-orchestrator-key`).state.arn;
                const users = policies().filter((pol) => grants(pol.statements, "dynamodb:PutItem", table));
                expect(users.map((u) => u.name)).to.include.members([`${p}-orchestrator-sfn-policy`, `${p}-orchestrator-job-foreach-state`]);
                for (const user of users) expect(grants(user.statements, "kms:GenerateDataKey", key), user.name).to.equal(true);
            });

            it("lets the Batch job role, which writes foreach state under Step Functions, use the table and its key", () => {
                const table = one(resources, "aws:dynamodb/table:Table", `${p}-orchestrator-state`).state.arn;
                const key = one(resources, "aws:kms/key:Key", `${p}-orchestrator-key`).state.arn;
                const jobRole = one(resources, "aws:iam/role:Role", `${p}-compute-job-role`);
                const onJobRole = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((r) => r.inputs.role === jobRole.state.name || r.inputs.role === jobRole.state.id);
                const statements = onJobRole.flatMap((r) => parseJson(r.inputs.policy).Statement as any[]);
                for (const action of ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]) expect(grants(statements, action, table), action).to.equal(true);
                for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]) expect(grants(statements, action, key), action).to.equal(true);
                const viaDynamoDb = statements.filter((st) => [st.Resource].flat().includes(key)).map((st) => st.Condition);
                expect(viaDynamoDb).to.deep.equal([{ StringEquals: { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" } }]);
            });

            it("lets the Batch job role read the data lake's Glue database exactly when the stack references a data lake", () => {
                const statements = parseJson(one(resources, "aws:iam/rolePolicy:RolePolicy", `${p}-compute-job-access`).inputs.policy).Statement as any[];
                const glue = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith("glue:")));
                const lake = config.dataLakeStack ? loadStackReferenceFixtures(REPO_ROOT)[config.dataLakeStack].outputs : undefined;
                if (!lake) {
                    expect(glue).to.deep.equal([]);
                    return;
                }
                expect(glue.map((st) => st.Sid)).to.deep.equal(["DataLakeCatalogRead"]);
                expect(glue[0].Resource).to.include(`arn:aws:glue:us-east-1:123456789012:database/${lake.glueDatabaseName}`);
                expect(glue[0].Resource).to.include(`arn:aws:glue:us-east-1:123456789012:table/${lake.glueDatabaseName}/*`);
            });

            it("may decrypt the Metaflow config wherever they may read it", () => {
                const parameter = one(resources, "aws:ssm/parameter:Parameter", `${p}-parameters-metaflow-config`);
                const readers = policies().filter((pol) =>
                    pol.statements.some((st) => [st.Action].flat().includes("ssm:GetParameter") && [st.Resource].flat().some((r: string) => r.endsWith("/*") && parameter.state.arn.startsWith(r.slice(0, -1)))),
                );
                expect(readers.map((r) => r.name)).to.include(`${p}-compute-job-access`);
                for (const reader of readers) expect(grants(reader.statements, "kms:Decrypt", parameter.inputs.keyId), reader.name).to.equal(true);
            });
        });

        describe("named outputs", () => {
            it("are exactly the API's names, every required one present", () => {
                const required = STACK_OUTPUT_NAMES.filter((n) => !OPTIONAL_OUTPUTS[n]);
                expect(STACK_OUTPUT_NAMES).to.include.members(Object.keys(outputs));
                expect(Object.keys(outputs)).to.include.members(required);
                expect(outputs.outputsVersion).to.equal(1);
            });

            it("name the same resources as the Metaflow config", () => {
                expect(outputs.stepFunctionsRoleArn).to.equal(mf.METAFLOW_SFN_IAM_ROLE);
                expect(outputs.eventBridgeRoleArn).to.equal(mf.METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE);
                expect(outputs.dynamoDbTableName).to.equal(mf.METAFLOW_SFN_DYNAMO_DB_TABLE);
                expect(outputs.stateMachinePrefix).to.equal(mf.METAFLOW_SFN_STATE_MACHINE_PREFIX);
                expect(`${outputs.executionLogGroupArn}:*`).to.equal(mf.METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN);
                expect(outputs.cpuQueueName).to.equal(mf.METAFLOW_BATCH_JOB_QUEUE);
                expect(outputs.batchJobRoleArn).to.equal(mf.METAFLOW_ECS_S3_ACCESS_IAM_ROLE);
                expect(outputs.serviceUrl).to.equal(mf.METAFLOW_SERVICE_URL);
                expect(outputs.internalServiceUrl).to.equal(mf.METAFLOW_SERVICE_INTERNAL_URL);
                expect(outputs.uiUrl).to.equal(mf.METAFLOW_UI_URL);
            });

            it("name the alert topic, the dashboard, the queues and the artifact store", () => {
                expect(outputs.alertTopicArn).to.equal(one(resources, "aws:sns/topic:Topic", `${p}-alerts-topic`).state.arn);
                const dashboards = ofType(resources, "aws:cloudwatch/dashboard:Dashboard");
                expect(dashboards).to.have.length(1);
                expect(outputs.dashboardUrl).to.match(new RegExp(`^https://.*#dashboards:name=${dashboards[0].inputs.dashboardName}$`));
                expect(outputs.gpuQueueArn).to.equal(one(resources, "aws:batch/jobQueue:JobQueue", `${p}-compute-gpu-queue`).state.arn);
                expect(outputs.jobQueueArns).to.have.members(ofType(resources, "aws:batch/jobQueue:JobQueue").map((q) => q.state.arn));
                expect(outputs.artifactBucketArn).to.equal(one(resources, "aws:s3/bucket:Bucket", `${p}-artifacts-bucket`).state.arn);
            });

            it("route the orchestrator's failure alerts to the alert topic", () => {
                const targets = ofType(resources, "aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.name.startsWith(`${p}-orchestrator-`));
                expect(targets.length).to.equal(config.orchestrator.alertOnBatchJobFailures ? 2 : 1);
                expect(targets.every((t) => t.inputs.arn === outputs.alertTopicArn)).to.equal(true);
            });
        });
    });
}

describe("README outputs table", () => {
    it("documents every output of the API, and nothing else", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Stack outputs"));
        expect(section.length, "README has a '## Stack outputs' section").to.be.greaterThan(0);
        const table = section.slice(0, section.indexOf("\n## ") > 0 ? section.indexOf("\n## ") : undefined);
        const rows = [...table.matchAll(/^\| `(\w+)` \| `([^`]+)` \|/gm)].map((m) => ({ name: m[1], type: m[2] }));
        expect(rows.map((r) => r.name)).to.have.members(STACK_OUTPUT_NAMES);
        // A type ending in "?" marks an output a stack may lack.
        const optional = rows.filter((r) => r.type.endsWith("?")).map((r) => r.name);
        expect(optional).to.have.members(STACK_OUTPUT_NAMES.filter((n) => OPTIONAL_OUTPUTS[n]));
    });
});
