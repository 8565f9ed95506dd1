import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Orchestrator, type OrchestratorArgs } from "../components/orchestrator";
import { allPolicies } from "../policies/all";
import type { PolicyPackConfigFile } from "../tools/policy/evaluate";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { evaluate } from "./helpers/policies";

// An account other than the mocks' own: every ARN must come from the args, never from a constant.
const ACCOUNT = "444455556666";
const REGION = "us-east-1";
const CPU_QUEUE = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/mlp-dev-cpu`;
const GPU_QUEUE = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/mlp-dev-gpu`;
const JOB_ROLE_NAME = "mlp-dev-job";
const JOB_ROLE = `arn:aws:iam::${ACCOUNT}:role/${JOB_ROLE_NAME}`;
const BUCKET = "arn:aws:s3:::mlp-dev-artifacts-bucket-1234567";
const STORE_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:mlp-dev-alerts-topic`;

const ARGS: OrchestratorArgs = {
    environment: "dev",
    region: REGION,
    accountId: ACCOUNT,
    jobQueueArns: [CPU_QUEUE, GPU_QUEUE],
    jobRoleArn: JOB_ROLE,
    jobRoleName: JOB_ROLE_NAME,
    artifactBucketArn: BUCKET,
    artifactKmsKeyArn: STORE_KEY,
    alertTopicArn: TOPIC,
    executionLogRetentionDays: 14,
};

const SFN = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

interface Recorded {
    resources: RecordedResource[];
    outputs: Record<string, string>;
}

function run(args: OrchestratorArgs): Promise<Recorded> {
    return record(async () => {
        const o = new Orchestrator("orch", args, { providers: [testProvider()] });
        return {
            stepFunctionsRoleArn: await resolve(o.stepFunctionsRoleArn),
            eventBridgeRoleArn: await resolve(o.eventBridgeRoleArn),
            dynamoDbTableName: await resolve(o.dynamoDbTableName),
            dynamoDbTableArn: await resolve(o.dynamoDbTableArn),
            dynamoDbKmsKeyArn: await resolve(o.dynamoDbKmsKeyArn),
            stateMachinePrefix: await resolve(o.stateMachinePrefix),
            executionLogGroupArn: await resolve(o.executionLogGroupArn),
            executionLogGroupName: await resolve(o.executionLogGroupName),
            executionLogDestinationArn: await resolve(o.executionLogDestinationArn),
        };
    });
}

/** A policy's statements by Sid, each checked to have one. */
function statementsBySid(policy: RecordedResource): Record<string, any> {
    const doc = parseJson(policy.inputs.policy);
    expect(doc.Version).to.equal("2012-10-17");
    const statements = doc.Statement as any[];
    expect(statements.every((s) => typeof s.Sid === "string"), "every statement has a Sid").to.equal(true);
    return Object.fromEntries(statements.map((s) => [s.Sid, s]));
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe("Orchestrator", () => {
    let resources: RecordedResource[];
    let outputs: Record<string, string>;

    before(async () => {
        ({ resources, outputs } = await run(ARGS));
    });

    describe("Step Functions execution role", () => {
        it("is assumable by Step Functions on behalf of this account only", () => {
            const role = one(resources, SFN, "orch-sfn");
            expect(parseJson(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Principal: { Service: "states.amazonaws.com" },
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ]);
            expect(outputs.stepFunctionsRoleArn).to.equal(role.state.arn);
        });

        it("is granted exactly the documented statements, and its policy is attached to it", () => {
            const policy = one(resources, ROLE_POLICY, "orch-sfn-policy");
            expect(policy.inputs.role).to.equal(one(resources, SFN, "orch-sfn").state.id);
            expect(Object.keys(statementsBySid(policy))).to.have.members([
                "SubmitToPlatformQueues",
                "ManageJobs",
                "ReadJobs",
                "BatchSyncEventRule",
                "PassJobRoleToBatch",
                "ForeachStateTable",
                "ForeachStateTableKey",
                "ArtifactStoreRead",
                "ArtifactStoreKey",
                "DistributedMapResults",
                "DistributedMapResultsKey",
                "DistributedMapChildExecutions",
                "DistributedMapChildExecutionsControl",
                "ExecutionLogDelivery",
                "ExecutionLogResourcePolicy",
                "FindExecutionLogGroup",
            ]);
        });

        it("submits Batch jobs only to the platform's queues and Metaflow's job definitions", () => {
            const s = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy")).SubmitToPlatformQueues;
            expect(s).to.deep.equal({
                Sid: "SubmitToPlatformQueues",
                Effect: "Allow",
                Action: "batch:SubmitJob",
                Resource: [CPU_QUEUE, GPU_QUEUE, `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/metaflow_*`],
            });
        });

        it("terminates and tags jobs of this account, and reads jobs where IAM has no resource-level permissions", () => {
            const bySid = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            expect(bySid.ManageJobs.Action).to.have.members(["batch:TerminateJob", "batch:TagResource"]);
            expect(bySid.ManageJobs.Resource).to.equal(`arn:aws:batch:${REGION}:${ACCOUNT}:job/*`);
            expect(bySid.ReadJobs.Action).to.have.members(["batch:DescribeJobs", "batch:ListJobs"]);
            expect(bySid.ReadJobs.Resource).to.equal("*");
        });

        it("manages only the rule Step Functions uses to follow Batch jobs", () => {
            const s = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy")).BatchSyncEventRule;
            expect(s.Action).to.have.members(["events:PutTargets", "events:PutRule", "events:DescribeRule"]);
            expect(s.Resource).to.equal(`arn:aws:events:${REGION}:${ACCOUNT}:rule/StepFunctionsGetEventsForBatchJobsRule`);
        });

        it("passes only the job role, and only to Batch", () => {
            const s = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy")).PassJobRoleToBatch;
            expect(s).to.deep.equal({
                Sid: "PassJobRoleToBatch",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: JOB_ROLE,
                Condition: { StringEquals: { "iam:PassedToService": "batch.amazonaws.com" } },
            });
        });

        it("reads and writes items of its own table, with its key only through DynamoDB", () => {
            const bySid = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            const table = one(resources, "aws:dynamodb/table:Table", "orch-state");
            const key = one(resources, "aws:kms/key:Key", "orch-key");
            expect(bySid.ForeachStateTable.Action).to.have.members(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
            expect(bySid.ForeachStateTable.Resource).to.equal(table.state.arn);
            expect(bySid.ForeachStateTableKey.Resource).to.equal(key.state.arn);
            expect(bySid.ForeachStateTableKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": `dynamodb.${REGION}.amazonaws.com` } });
        });

        it("reads the artifact store, decrypting only through S3", () => {
            const bySid = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            expect(bySid.ArtifactStoreRead.Action).to.have.members(["s3:ListBucket", "s3:GetObject"]);
            expect(bySid.ArtifactStoreRead.Resource).to.deep.equal([BUCKET, `${BUCKET}/*`]);
            expect(bySid.ArtifactStoreKey.Action).to.deep.equal(["kms:Decrypt"]);
            expect(bySid.ArtifactStoreKey.Resource).to.equal(STORE_KEY);
            expect(bySid.ArtifactStoreKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } });
        });

        it("delivers execution logs (log delivery actions take no resource) and manages resource policies and finds log groups of this account", () => {
            const bySid = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            expect(bySid.ExecutionLogDelivery.Action).to.have.members([
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
            ]);
            expect(bySid.ExecutionLogResourcePolicy).to.deep.equal({
                Sid: "ExecutionLogResourcePolicy",
                Effect: "Allow",
                Action: ["logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
                Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:*`,
            });
            expect(bySid.FindExecutionLogGroup.Resource).to.equal(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*`);
        });

        it("writes Distributed Map results only under the datastore's sfn_distributed_map_output path, encrypting through S3", () => {
            const bySid = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            expect(bySid.DistributedMapResults.Action).to.have.members(["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]);
            expect(bySid.DistributedMapResults.Resource).to.equal(`${BUCKET}/metaflow/sfn_distributed_map_output/*`);
            expect(bySid.DistributedMapResultsKey).to.deep.equal({
                Sid: "DistributedMapResultsKey",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey"],
                Resource: STORE_KEY,
                Condition: { StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } },
            });
            const writers = Object.values(bySid).filter((s) => list(s.Action).includes("s3:PutObject"));
            expect(writers.map((s) => s.Sid), "no other statement writes to S3").to.deep.equal(["DistributedMapResults"]);
        });

        it("starts, describes and stops child executions of this environment's state machines only", () => {
            const bySid = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            expect(bySid.DistributedMapChildExecutions).to.deep.include({
                Action: "states:StartExecution",
                Resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:mlp-dev-flow*`,
            });
            expect(bySid.DistributedMapChildExecutionsControl.Action).to.have.members(["states:DescribeExecution", "states:StopExecution"]);
            expect(bySid.DistributedMapChildExecutionsControl.Resource).to.equal(`arn:aws:states:${REGION}:${ACCOUNT}:execution:mlp-dev-flow*:*`);
        });

        it("uses '*' resources only for the actions without resource-level permissions, and no wildcard actions", () => {
            const statements = Object.values(statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy")));
            const anyResource = statements.filter((s) => list(s.Resource).includes("*")).map((s) => s.Sid);
            expect(anyResource).to.have.members(["ReadJobs", "ExecutionLogDelivery"]);
            const actions = statements.flatMap((s) => list(s.Action) as string[]);
            expect(actions.filter((a) => a.includes("*"))).to.deep.equal([]);
            expect(statements.every((s) => s.Effect === "Allow")).to.equal(true);
        });
    });

    describe("Batch job role", () => {
        it("may read and write the foreach state its tasks keep, and use the table's key only through DynamoDB", () => {
            const policy = one(resources, ROLE_POLICY, "orch-job-foreach-state");
            expect(policy.inputs.role).to.equal(JOB_ROLE_NAME);
            const table = one(resources, "aws:dynamodb/table:Table", "orch-state");
            const key = one(resources, "aws:kms/key:Key", "orch-key");
            expect(parseJson(policy.inputs.policy).Statement).to.deep.equal([
                { Sid: "ForeachStateTable", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: table.state.arn },
                {
                    Sid: "ForeachStateTableKey",
                    Effect: "Allow",
                    Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                    Resource: key.state.arn,
                    Condition: { StringEquals: { "kms:ViaService": `dynamodb.${REGION}.amazonaws.com` } },
                },
            ]);
        });

        it("gets the same table statements as the execution role", () => {
            const job = parseJson(one(resources, ROLE_POLICY, "orch-job-foreach-state").inputs.policy).Statement;
            const sfn = statementsBySid(one(resources, ROLE_POLICY, "orch-sfn-policy"));
            expect(job).to.deep.equal([sfn.ForeachStateTable, sfn.ForeachStateTableKey]);
        });
    });

    describe("EventBridge role", () => {
        it("is assumable by EventBridge on behalf of this account only", () => {
            const role = one(resources, SFN, "orch-events");
            expect(parseJson(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Principal: { Service: "events.amazonaws.com" },
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ]);
            expect(outputs.eventBridgeRoleArn).to.equal(role.state.arn);
        });

        it("may only start executions of this environment's state machines", () => {
            const policy = one(resources, ROLE_POLICY, "orch-events-policy");
            expect(policy.inputs.role).to.equal(one(resources, SFN, "orch-events").state.id);
            expect(parseJson(policy.inputs.policy).Statement).to.deep.equal([
                {
                    Sid: "StartPlatformStateMachines",
                    Effect: "Allow",
                    Action: "states:StartExecution",
                    Resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:mlp-dev-flow*`,
                },
            ]);
        });
    });

    describe("foreach state table", () => {
        it("is on-demand, keyed by pathspec, expires items through ttl, KMS-encrypted with its own key and recoverable", () => {
            const table = one(resources, "aws:dynamodb/table:Table", "orch-state");
            const key = one(resources, "aws:kms/key:Key", "orch-key");
            expect(table.inputs).to.deep.include({
                billingMode: "PAY_PER_REQUEST",
                hashKey: "pathspec",
                attributes: [{ name: "pathspec", type: "S" }],
                ttl: { attributeName: "ttl", enabled: true },
                serverSideEncryption: { enabled: true, kmsKeyArn: key.state.arn },
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: false,
            });
            expect(table.inputs.rangeKey).to.equal(undefined);
            expect(outputs.dynamoDbTableName).to.equal(table.state.name);
            expect(outputs.dynamoDbTableArn).to.equal(table.state.arn);
            expect(outputs.dynamoDbKmsKeyArn).to.equal(key.state.arn);
        });

        it("is neither protected nor retained by default", () => {
            const table = one(resources, "aws:dynamodb/table:Table", "orch-state");
            expect([table.protect, table.retainOnDelete]).to.deep.equal([false, false]);
        });
    });

    describe("execution logs", () => {
        it("keep events for the configured days under /aws/vendedlogs/, encrypted with the orchestrator key", () => {
            const group = one(resources, "aws:cloudwatch/logGroup:LogGroup", "orch-executions");
            const key = one(resources, "aws:kms/key:Key", "orch-key");
            expect(group.inputs.name).to.equal("/aws/vendedlogs/states/mlp-dev-flow");
            expect(group.inputs.retentionInDays).to.equal(14);
            expect(group.inputs.kmsKeyId).to.equal(key.state.arn);
            expect(outputs.executionLogGroupName).to.equal("/aws/vendedlogs/states/mlp-dev-flow");
            expect(outputs.executionLogGroupArn).to.equal(group.state.arn);
            expect(outputs.executionLogDestinationArn).to.equal(`${group.state.arn}:*`);
        });

        it("use a rotating key that CloudWatch Logs may use for that log group only", () => {
            const key = one(resources, "aws:kms/key:Key", "orch-key");
            expect(key.inputs.enableKeyRotation).to.equal(true);
            const statements = parseJson(key.inputs.policy).Statement as any[];
            const logs = statements.find((s) => s.Principal?.Service === `logs.${REGION}.amazonaws.com`);
            expect(logs.Condition).to.deep.equal({
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/vendedlogs/states/mlp-dev-flow*` },
            });
            const admin = statements.find((s) => s.Principal?.AWS !== undefined);
            expect(admin.Principal.AWS).to.equal(`arn:aws:iam::${ACCOUNT}:root`);
        });

        it("name the environment's state machine prefix", () => {
            expect(outputs.stateMachinePrefix).to.equal("mlp-dev-flow");
        });
    });

    describe("failure alerts", () => {
        const ruleNamed = (name: string) => one(resources, RULE, name);

        it("match this environment's executions that end FAILED, TIMED_OUT or ABORTED", () => {
            expect(parseJson(ruleNamed("orch-failed-executions").inputs.eventPattern)).to.deep.equal({
                source: ["aws.states"],
                "detail-type": ["Step Functions Execution Status Change"],
                detail: {
                    status: ["FAILED", "TIMED_OUT", "ABORTED"],
                    stateMachineArn: [{ prefix: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:mlp-dev-flow` }],
                },
            });
        });

        it("match failed Batch jobs on the platform's queues only", () => {
            expect(parseJson(ruleNamed("orch-failed-jobs").inputs.eventPattern)).to.deep.equal({
                source: ["aws.batch"],
                "detail-type": ["Batch Job State Change"],
                detail: { status: ["FAILED"], jobQueue: [CPU_QUEUE, GPU_QUEUE] },
            });
        });

        for (const rule of ["orch-failed-executions", "orch-failed-jobs"]) {
            it(`send ${rule} to the alert topic as a readable message`, () => {
                const target = one(resources, TARGET, `${rule}-alert`);
                expect(target.inputs.rule).to.equal(ruleNamed(rule).state.name);
                expect(target.inputs.arn).to.equal(TOPIC);
                const transformer = target.inputs.inputTransformer;
                const message = JSON.parse(transformer.inputTemplate) as string;
                expect(message).to.be.a("string");
                // Every placeholder in the message has an input path, so no `<x>` reaches the reader.
                const placeholders = [...message.matchAll(/<(\w+)>/g)].map((m) => m[1]);
                expect(placeholders.length).to.be.greaterThan(0);
                expect(Object.keys(transformer.inputPaths)).to.include.members(placeholders);
                expect(Object.values(transformer.inputPaths).every((p) => String(p).startsWith("$.detail."))).to.equal(true);
            });
        }

        it("leave out the Batch job rule when only failed runs should alert", async () => {
            const quiet = await run({ ...ARGS, alertOnBatchJobFailures: false });
            expect(ofType(quiet.resources, RULE).map((r) => r.name)).to.deep.equal(["orch-failed-executions"]);
            expect(ofType(quiet.resources, TARGET).map((r) => r.name)).to.deep.equal(["orch-failed-executions-alert"]);
        });
    });

    describe("with data protection (prod)", () => {
        let protectedRun: Recorded;

        before(async () => {
            protectedRun = await run({ ...ARGS, environment: "prod", protect: true, retainOnDelete: true, executionLogRetentionDays: 365 });
        });

        it("protects and retains the table, its key and the log group, with AWS deletion protection on", () => {
            for (const [type, name] of [
                ["aws:dynamodb/table:Table", "orch-state"],
                ["aws:kms/key:Key", "orch-key"],
                ["aws:cloudwatch/logGroup:LogGroup", "orch-executions"],
            ]) {
                const r = one(protectedRun.resources, type, name);
                expect([r.protect, r.retainOnDelete], name).to.deep.equal([true, true]);
            }
            expect(one(protectedRun.resources, "aws:dynamodb/table:Table", "orch-state").inputs.deletionProtectionEnabled).to.equal(true);
            expect(one(protectedRun.resources, "aws:cloudwatch/logGroup:LogGroup", "orch-executions").inputs.deletionProtectionEnabled).to.equal(true);
        });

        it("passes the prod security baseline and tagging policies", async () => {
            const config = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policies", "config", "prod.json"), "utf8")) as PolicyPackConfigFile;
            const { violations } = await evaluate(allPolicies, protectedRun.resources, config);
            expect(violations.map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
        });

        it("names the prod prefix in the EventBridge role and the failure rule", () => {
            const events = parseJson(one(protectedRun.resources, ROLE_POLICY, "orch-events-policy").inputs.policy);
            expect(events.Statement[0].Resource).to.equal(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:mlp-prod-flow*`);
            const pattern = parseJson(one(protectedRun.resources, RULE, "orch-failed-executions").inputs.eventPattern);
            expect(pattern.detail.stateMachineArn).to.deep.equal([{ prefix: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:mlp-prod-flow` }]);
        });
    });
});
