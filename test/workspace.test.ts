import { execFileSync } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BATCH_JOB_LOG_GROUP } from "../components/compute-pool";
import { Workspace, type WorkspaceArgs } from "../components/workspace";
import { allPolicies } from "../policies/all";
import { estimateStackCost } from "../policies/cost";
import { parsePlatformConfig } from "../stacks/config";
import prodPolicyConfig from "../policies/config/prod.json";
import { issuesOf, platformConfig, withFields, withKey } from "./helpers/config";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { evaluate } from "./helpers/policies";
import { planOf, STACKS } from "./helpers/stacks";

const ACCOUNT = "123456789012";
const JOB_ROLE = `arn:aws:iam::${ACCOUNT}:role/mlp-dev-batch-job`;
const SFN_ROLE = `arn:aws:iam::${ACCOUNT}:role/mlp-dev-sfn`;
const EVENTS_ROLE = `arn:aws:iam::${ACCOUNT}:role/mlp-dev-events`;
const QUEUES = [`arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/mlp-dev-cpu`, `arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/mlp-dev-gpu`];
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/mlp-dev-sfn-state`;
const BUCKET = "mlp-dev-artifacts-bucket-1234567";
const SUBNETS = ["subnet-0aaa", "subnet-0bbb"];

function args(users: WorkspaceArgs["users"]): WorkspaceArgs {
    return {
        environment: "dev",
        region: "us-east-1",
        teams: ["forecasting", "vision"],
        users,
        defaultInstanceType: "ml.t3.medium",
        idleTimeoutMinutes: 90,
        volumeSizeGb: 25,
        metaflowVersion: "2.19.39",
        network: { vpcId: "vpc-0123", privateSubnetIds: SUBNETS, vpcCidrBlock: "10.20.0.0/16" },
        artifactStore: { bucketName: BUCKET, bucketArn: `arn:aws:s3:::${BUCKET}`, kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/artifacts` },
        compute: { jobQueueArns: QUEUES, jobRoleArn: JOB_ROLE, jobLogGroupName: "/aws/batch/job" },
        orchestrator: { stepFunctionsRoleArn: SFN_ROLE, eventBridgeRoleArn: EVENTS_ROLE, dynamoDbTableArn: TABLE, stateMachinePrefix: "mlp-dev-flow" },
        protect: true,
    };
}

const USERS = [
    { name: "asha-patel", team: "forecasting" },
    { name: "ben-okafor", team: "vision", instanceType: "ml.g4dn.xlarge" },
    { name: "chen-li", team: "vision" },
];

async function recordWorkspace(users: WorkspaceArgs["users"]) {
    return record(async () => {
        const ws = new Workspace("ws", args(users), { providers: [testProvider()] });
        return { domainId: await resolve(ws.domainId), teamRoleArns: await resolve(ws.teamRoleArns), templatesUri: await resolve(ws.templatesUri) };
    });
}

interface Statement {
    Sid: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("Workspace", () => {
    let resources: RecordedResource[];
    let outputs: { domainId: string; teamRoleArns: Record<string, string>; templatesUri: string };
    const policyOf = (role: string): Statement[] => parseJson(one(resources, "aws:iam/rolePolicy:RolePolicy", role).inputs.policy).Statement;

    before(async () => {
        const run = await recordWorkspace(USERS);
        resources = run.resources;
        outputs = run.outputs;
    });

    describe("per user", () => {
        it("creates exactly one user profile and one private JupyterLab space per user", () => {
            expect(ofType(resources, "aws:sagemaker/userProfile:UserProfile").map((r) => r.inputs.userProfileName)).to.have.members(USERS.map((u) => u.name));
            const spaces = ofType(resources, "aws:sagemaker/space:Space");
            expect(spaces.map((s) => s.inputs.spaceName)).to.have.members(USERS.map((u) => `${u.name}-jupyterlab`));
            for (const space of spaces) {
                expect(space.inputs.spaceSharingSettings).to.deep.equal({ sharingType: "Private" });
                expect(space.inputs.spaceSettings.appType).to.equal("JupyterLab");
                expect(space.inputs.spaceSettings.spaceStorageSettings.ebsStorageSettings.ebsVolumeSizeInGb).to.equal(25);
                expect(space.inputs.domainId).to.equal(outputs.domainId);
            }
        });

        it("gives each space to its owner's profile, with the owner's instance type", () => {
            for (const user of USERS) {
                const space = one(resources, "aws:sagemaker/space:Space", `ws-space-${user.name}`);
                expect(space.inputs.ownershipSettings).to.deep.equal({ ownerUserProfileName: user.name });
                expect(space.inputs.spaceSettings.jupyterLabAppSettings.defaultResourceSpec.instanceType).to.equal(user.instanceType ?? "ml.t3.medium");
            }
        });

        it("runs each profile as its team's role and tags it for the launch policy", () => {
            for (const user of USERS) {
                const profile = one(resources, "aws:sagemaker/userProfile:UserProfile", `ws-user-${user.name}`);
                expect(profile.inputs.userSettings.executionRole).to.equal(outputs.teamRoleArns[user.team]);
                expect(profile.inputs.tags).to.deep.include({ studiouserid: user.name, WorkspaceTeam: user.team });
            }
            expect(outputs.teamRoleArns.vision).to.match(/role\/mlp-dev-workspace-vision$/);
        });

        it("adds two resources per user and none per user elsewhere (roles are per team)", async () => {
            const more = await recordWorkspace([...USERS, { name: "dora-ng", team: "forecasting" }, { name: "eli-roth", team: "vision" }]);
            expect(more.resources.length - resources.length).to.equal(4);
            expect(ofType(more.resources, "aws:iam/role:Role")).to.have.length(ofType(resources, "aws:iam/role:Role").length);
        });
    });

    describe("start-up script", () => {
        let lifecycle: RecordedResource;
        let script: string;
        before(() => {
            lifecycle = ofType(resources, "aws:sagemaker/studioLifecycleConfig:StudioLifecycleConfig")[0];
            script = Buffer.from(lifecycle.inputs.studioLifecycleConfigContent, "base64").toString("utf8");
        });

        it("is the built-in JupyterLab lifecycle config of the domain and every profile, which users cannot deselect", () => {
            expect(lifecycle.inputs.studioLifecycleConfigAppType).to.equal("JupyterLab");
            expect(lifecycle.inputs.studioLifecycleConfigName).to.match(/^mlp-dev-jupyterlab-[0-9a-f]{8}$/);
            const arn = lifecycle.state.arn;
            const domain = one(resources, "aws:sagemaker/domain:Domain", "ws-domain");
            const levels = [
                domain.inputs.defaultUserSettings.jupyterLabAppSettings,
                domain.inputs.defaultSpaceSettings.jupyterLabAppSettings,
                ...ofType(resources, "aws:sagemaker/userProfile:UserProfile").map((p) => p.inputs.userSettings.jupyterLabAppSettings),
            ];
            expect(levels).to.have.length(2 + USERS.length);
            for (const settings of levels) {
                expect(settings.builtInLifecycleConfigArn).to.equal(arn);
                expect(settings.lifecycleConfigArns).to.deep.equal([arn]);
                // Not also the default: Studio runs the built-in script, then the default one.
                expect(settings.defaultResourceSpec).not.to.have.property("lifecycleConfigArn");
            }
            for (const s of ofType(resources, "aws:sagemaker/space:Space")) {
                expect(Object.keys(s.inputs.spaceSettings.jupyterLabAppSettings.defaultResourceSpec), s.name).to.deep.equal(["instanceType"]);
            }
        });

        it("reads the Metaflow config from SSM at start and writes ~/.metaflowconfig/config.json", () => {
            expect(script).to.include("METAFLOW_CONFIG_PARAMETER='/ml-platform/dev/metaflow/config'");
            expect(script).to.match(/aws ssm get-parameter --region "\$REGION" --name "\$METAFLOW_CONFIG_PARAMETER" --with-decryption/);
            expect(script).to.include('mv "$HOME/.metaflowconfig/config.json.new" "$HOME/.metaflowconfig/config.json"');
            // Values come from SSM at start, never baked into the script.
            expect(script).not.to.match(/https?:\/\/|METAFLOW_DATASTORE_SYSROOT_S3/);
        });

        it("pins the Metaflow client and fetches the published templates", () => {
            expect(script).to.include("METAFLOW_VERSION='2.19.39'");
            expect(script).to.include('pip install --quiet --no-input "metaflow==$METAFLOW_VERSION"');
            expect(script).to.include(`TEMPLATES_URI='s3://${BUCKET}/templates/'`);
            expect(script).to.match(/aws s3 sync .*"\$TEMPLATES_URI" "\$HOME\/platform-templates\/"/);
            expect(outputs.templatesUri).to.equal(`s3://${BUCKET}/templates/`);
        });

        it("culls idle kernels and terminals after the idle time, and SageMaker stops idle apps", () => {
            expect(script).to.include("IDLE_SECONDS=5400");
            expect(script).to.match(/"cull_idle_timeout": \$IDLE_SECONDS/);
            expect(script).to.match(/"cull_inactive_timeout": \$IDLE_SECONDS/);
            const domain = one(resources, "aws:sagemaker/domain:Domain", "ws-domain");
            expect(domain.inputs.defaultUserSettings.jupyterLabAppSettings.appLifecycleManagement.idleSettings).to.deep.equal({
                lifecycleManagement: "ENABLED",
                idleTimeoutInMinutes: 90,
                minIdleTimeoutInMinutes: 60,
                maxIdleTimeoutInMinutes: 90,
            });
            for (const s of ofType(resources, "aws:sagemaker/space:Space")) {
                expect(s.inputs.spaceSettings.jupyterLabAppSettings.appLifecycleManagement.idleSettings).to.deep.equal({ idleTimeoutInMinutes: 90 });
            }
        });

        it("derives the team from the team role's name", () => {
            expect(script).to.include("TEAM_ROLE_PREFIX='mlp-dev-workspace-'");
            expect(script).to.include('TEAM="${ROLE_NAME#"$TEAM_ROLE_PREFIX"}"');
            expect(script).to.include("PIPELINES_ROOT='/ml-platform/dev/pipelines'");
        });

        /** Runs the script against stub aws (SSM returns `metaflowConfig`) and pip; returns the home folder. */
        function runStartup(metaflowConfig: Record<string, string>): string {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lcc-run-"));
            const bin = path.join(dir, "bin");
            const home = path.join(dir, "home");
            fs.mkdirSync(bin);
            fs.mkdirSync(home);
            const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
            stub(
                "aws",
                [
                    'echo "$@" >> "$HOME/aws-calls"',
                    'case "$1 $2" in',
                    `  "ssm get-parameter") echo '${JSON.stringify(metaflowConfig)}' ;;`,
                    '  "sts get-caller-identity") echo "arn:aws:sts::123456789012:assumed-role/mlp-dev-workspace-vision/SageMaker" ;;',
                    "esac",
                ].join("\n"),
            );
            stub("pip", 'echo "$@" >> "$HOME/pip-calls"');
            const file = path.join(dir, "on-start.sh");
            fs.writeFileSync(file, script);
            execFileSync("bash", [file], { env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home } });
            return home;
        }

        it("writes the config, the team and the idle settings when run against stub aws and pip", () => {
            const home = runStartup({ METAFLOW_DEFAULT_DATASTORE: "s3" });
            const config = path.join(home, ".metaflowconfig", "config.json");
            expect(JSON.parse(fs.readFileSync(config, "utf8"))).to.deep.equal({ METAFLOW_DEFAULT_DATASTORE: "s3" });
            expect(fs.statSync(config).mode & 0o077, "readable by the user only").to.equal(0);
            expect(JSON.parse(fs.readFileSync(path.join(home, ".ml-platform", "workspace.json"), "utf8"))).to.deep.equal({
                environment: "dev",
                team: "vision",
                hyperparameterRoot: "/ml-platform/dev/pipelines/vision",
            });
            const idle = JSON.parse(fs.readFileSync(path.join(home, ".jupyter", "jupyter_server_config.d", "ml-platform-idle.json"), "utf8"));
            expect(idle.MappingKernelManager.cull_idle_timeout).to.equal(5400);
            expect(idle.TerminalManager.cull_inactive_timeout).to.equal(5400);
            const calls = fs.readFileSync(path.join(home, "aws-calls"), "utf8");
            expect(calls).to.include("ssm get-parameter --region us-east-1 --name /ml-platform/dev/metaflow/config --with-decryption");
            expect(calls).to.include(`s3 sync --region us-east-1 --only-show-errors --delete s3://${BUCKET}/templates/ ${home}/platform-templates/`);
            expect(fs.readFileSync(path.join(home, "pip-calls"), "utf8")).to.include("install --quiet --no-input metaflow==2.19.39");
        });

        it("points the Metaflow client at the internal service URL, since the public one may admit only office ranges", () => {
            const published = {
                METAFLOW_SERVICE_URL: "https://abc123.execute-api.us-east-1.amazonaws.com/api",
                METAFLOW_SERVICE_INTERNAL_URL: "https://metaflow.prod.ml.acme.example",
                METAFLOW_SERVICE_AUTH_KEY: "key",
                METAFLOW_DEFAULT_METADATA: "service",
            };
            const config = path.join(runStartup(published), ".metaflowconfig", "config.json");
            expect(JSON.parse(fs.readFileSync(config, "utf8"))).to.deep.equal({ ...published, METAFLOW_SERVICE_URL: "https://metaflow.prod.ml.acme.example" });
            expect(fs.statSync(config).mode & 0o077, "readable by the user only").to.equal(0);
        });

        it("is valid bash", () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lcc-")), "on-start.sh");
            fs.writeFileSync(file, script);
            expect(() => execFileSync("bash", ["-n", file])).not.to.throw();
        });
    });

    describe("network and storage", () => {
        it("puts the domain in the private subnets, VPC-only, with IAM sign-in and its own KMS key", () => {
            const domain = one(resources, "aws:sagemaker/domain:Domain", "ws-domain");
            const key = one(resources, "aws:kms/key:Key", "ws-key");
            expect(domain.inputs.appNetworkAccessType).to.equal("VpcOnly");
            expect(domain.inputs.subnetIds).to.deep.equal(SUBNETS);
            expect(domain.inputs.vpcId).to.equal("vpc-0123");
            expect(domain.inputs.authMode).to.equal("IAM");
            expect(domain.inputs.kmsKeyId).to.equal(key.state.arn);
            expect(key.inputs.enableKeyRotation).to.equal(true);
            expect(domain.inputs.domainSettings.dockerSettings).to.deep.equal({ enableDockerAccess: "DISABLED" });
            expect(domain.inputs.domainSettings.executionRoleIdentityConfig).to.equal("USER_PROFILE_NAME");
            expect(domain.inputs.retentionPolicy).to.deep.equal({ homeEfsFileSystem: "Retain" });
            expect([key.protect, domain.protect]).to.deep.equal([true, true]);
        });

        it("accepts traffic only from its own apps", () => {
            const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup", "ws-security-group");
            expect(sg.inputs.ingress).to.have.length(1);
            expect(sg.inputs.ingress[0].self).to.equal(true);
            expect(sg.inputs.ingress[0].cidrBlocks ?? []).to.be.empty;
            const domain = one(resources, "aws:sagemaker/domain:Domain", "ws-domain");
            expect(domain.inputs.defaultUserSettings.securityGroups).to.deep.equal([sg.state.id]);
        });

        it("publishes the templates to the artifact store, KMS-encrypted", () => {
            const objects = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2");
            expect(objects.map((o) => o.inputs.key)).to.include.members(["templates/flows/train_flow.py", "templates/flows/drift_check_flow.py"]);
            for (const o of objects) {
                expect(o.inputs.bucket).to.equal(BUCKET);
                expect(o.inputs.serverSideEncryption).to.equal("aws:kms");
            }
        });
    });

    describe("team role policies", () => {
        it("pass only the job, Step Functions and EventBridge roles, each to its own service", () => {
            const passes = policyOf("ws-team-vision-policy").filter((s) => list(s.Action).some((a) => a.toLowerCase().startsWith("iam:")));
            expect(passes.map((s) => [list(s.Action), s.Resource, s.Condition])).to.deep.equal([
                [["iam:PassRole"], JOB_ROLE, { StringEquals: { "iam:PassedToService": "batch.amazonaws.com" } }],
                [["iam:PassRole"], SFN_ROLE, { StringEquals: { "iam:PassedToService": "states.amazonaws.com" } }],
                [["iam:PassRole"], EVENTS_ROLE, { StringEquals: { "iam:PassedToService": "events.amazonaws.com" } }],
            ]);
        });

        it("read and write only the team's own hyperparameter namespace, and read the Metaflow config", () => {
            const vision = policyOf("ws-team-vision-policy");
            const writes = vision.filter((s) => list(s.Action).includes("ssm:PutParameter"));
            expect(writes).to.have.length(1);
            expect(list(writes[0].Resource)).to.deep.equal([
                `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/ml-platform/dev/pipelines/vision`,
                `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/ml-platform/dev/pipelines/vision/*`,
            ]);
            const ssmResources = vision.filter((s) => list(s.Action).some((a) => a.startsWith("ssm:"))).flatMap((s) => list(s.Resource));
            expect(ssmResources.some((r) => r.includes("/pipelines/forecasting"))).to.equal(false);
            expect(ssmResources).to.include(`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/ml-platform/dev/metaflow/*`);
            const forecasting = policyOf("ws-team-forecasting-policy").find((s) => list(s.Action).includes("ssm:PutParameter"))!;
            expect(list(forecasting.Resource)[1]).to.match(/\/pipelines\/forecasting\/\*$/);
        });

        it("submit only to the platform's queues and deploy only prefixed state machines and rules", () => {
            const statements = policyOf("ws-team-vision-policy");
            const submit = statements.find((s) => list(s.Action).includes("batch:SubmitJob"))!;
            expect(list(submit.Resource)).to.deep.equal([...QUEUES, `arn:aws:batch:us-east-1:${ACCOUNT}:job-definition/metaflow_*`]);
            const create = statements.find((s) => list(s.Action).includes("states:CreateStateMachine"))!;
            expect(create.Resource).to.equal(`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:mlp-dev-flow*`);
            const rules = statements.find((s) => list(s.Action).includes("events:PutRule"))!;
            expect(rules.Resource).to.equal(`arn:aws:events:us-east-1:${ACCOUNT}:rule/mlp-dev-flow*`);
            const table = statements.find((s) => list(s.Action).includes("dynamodb:PutItem"))!;
            expect(table.Resource).to.equal(TABLE);
        });

        it("read the Batch job logs (`metaflow logs`) and no other log group of the platform", () => {
            const logs = policyOf("ws-team-vision-policy").find((s) => s.Sid === "ReadJobLogs");
            expect(logs).to.deep.equal({
                Sid: "ReadJobLogs",
                Effect: "Allow",
                Action: ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:DescribeLogStreams"],
                Resource: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/batch/job`, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/batch/job:*`],
            });
            expect(policyOf("ws-default-policy").some((s) => s.Sid === "ReadJobLogs")).to.equal(false);
        });

        it("never grant a wildcard action, and use '*' resources only for unscopable list/describe calls", () => {
            const scopeless = new Set(["StudioList", "ReadBatch", "ListStateMachines"]);
            for (const role of ["ws-team-vision-policy", "ws-team-forecasting-policy", "ws-default-policy"]) {
                for (const s of policyOf(role)) {
                    expect(list(s.Action).filter((a) => a === "*" || a.endsWith(":*")), `${role} ${s.Sid}`).to.be.empty;
                    if (list(s.Resource).includes("*")) expect(scopeless.has(s.Sid), `${role} ${s.Sid}`).to.equal(true);
                }
            }
        });

        it("let team members start and stop apps only in their own private space", () => {
            const own = policyOf("ws-team-vision-policy").find((s) => s.Sid === "OwnPrivateSpaceApps")!;
            expect(own.Condition).to.deep.equal({
                ArnLike: { "sagemaker:OwnerUserProfileArn": `arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/${outputs.domainId}/\${sagemaker:UserProfileName}` },
                StringEquals: { "sagemaker:SpaceSharingType": "Private" },
            });
        });

        it("use the workspace key for space volumes: grants only for AWS resources, data keys only through EC2 and SageMaker", () => {
            const key = one(resources, "aws:kms/key:Key", "ws-key").state.arn;
            for (const role of ["ws-team-vision-policy", "ws-default-policy"]) {
                const onKey = policyOf(role).filter((s) => list(s.Resource).includes(key));
                expect(onKey.map((s) => [s.Sid, list(s.Action), s.Condition]), role).to.deep.equal([
                    ["SpaceVolumeKeyGrant", ["kms:CreateGrant"], { Bool: { "kms:GrantIsForAWSResource": "true" } }],
                    [
                        "SpaceVolumeKey",
                        ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext"],
                        { StringEquals: { "kms:ViaService": ["ec2.us-east-1.amazonaws.com", "sagemaker.us-east-1.amazonaws.com"] } },
                    ],
                ]);
            }
        });

        it("give the default role Studio only, no platform data", () => {
            const actions = policyOf("ws-default-policy").flatMap((s) => list(s.Action));
            expect(actions.filter((a) => /^(s3|batch|states|ssm|iam|dynamodb|events):/.test(a))).to.be.empty;
        });

        it("stay within IAM's inline policy size limit", () => {
            for (const p of ofType(resources, "aws:iam/rolePolicy:RolePolicy")) expect(p.inputs.policy.length, p.name).to.be.below(10_240);
        });

        it("lets people open only the workspace tagged with their own studiouserid", () => {
            const launch = parseJson(one(resources, "aws:iam/policy:Policy", "ws-launch").inputs.policy).Statement as Statement[];
            const open = launch.find((s) => list(s.Action).includes("sagemaker:CreatePresignedDomainUrl"))!;
            expect(open.Resource).to.equal(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/${outputs.domainId}/*`);
            expect(open.Condition).to.deep.equal({ StringEquals: { "sagemaker:ResourceTag/studiouserid": "${aws:PrincipalTag/studiouserid}" } });
        });
    });

    it("is priced by the cost model: a space's volume always, its instance at most while running", () => {
        const cost = estimateStackCost(resources.filter((r) => r.custom).map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs })), "us-east-1");
        const space = (user: string) => cost.items.find((i) => i.name === `ws-space-${user}`)!;
        // 25 GB × $0.14/GB-month; ml.g4dn.xlarge $0.7364/h and ml.t3.medium $0.05/h × 730 h.
        expect([space("ben-okafor").monthlyIdle, space("ben-okafor").monthlyMax]).to.deep.equal([3.5, 541.07]);
        expect([space("chen-li").monthlyIdle, space("chen-li").monthlyMax]).to.deep.equal([3.5, 40]);
        expect(cost.items.filter((i) => i.type === "aws:sagemaker/userProfile:UserProfile")).to.be.empty;
    });

    it("passes every policy at prod settings", async () => {
        const evaluation = await evaluate(allPolicies, resources, prodPolicyConfig as never);
        expect(evaluation.violations.map((v) => v.message)).to.deep.equal([]);
    });

    describe("rejects broken invariants", () => {
        const attempt = (change: Partial<WorkspaceArgs>) =>
            record(() => {
                new Workspace("ws", { ...args(USERS), ...change }, { providers: [testProvider()] });
            });
        const rejects = async (change: Partial<WorkspaceArgs>, message: RegExp) => {
            let error: unknown;
            try {
                await attempt(change);
            } catch (e) {
                error = e;
            }
            expect(error).to.be.instanceOf(pulumi.ResourceError);
            expect((error as Error).message).to.match(message);
        };
        it("a user of an unknown team", () => rejects({ users: [{ name: "zed", team: "nlp" }] }, /unknown team 'nlp'/));
        it("a user listed twice", () => rejects({ users: [USERS[0], USERS[0]] }, /listed twice/));
        it("an idle time below SageMaker's minimum", () => rejects({ idleTimeoutMinutes: 30 }, /idleTimeoutMinutes must be from 60/));
    });
});

describe("workspaces in the real stacks", () => {
    for (const stack of STACKS) {
        it(`${stack}: one profile and one private space per configured user, one role per team`, async () => {
            const plan = await planOf(stack);
            const config = platformConfig(stack).workspaces!;
            const names = (type: string, input: string) => plan.resources.filter((r) => r.type === type).map((r) => r.inputs[input]);
            expect(names("aws:sagemaker/userProfile:UserProfile", "userProfileName")).to.have.members(config.users.map((u) => u.name));
            expect(names("aws:sagemaker/space:Space", "spaceName")).to.have.members(config.users.map((u) => `${u.name}-jupyterlab`));
            const roles = plan.resources.filter((r) => r.type === "aws:iam/role:Role" && r.component === `mlp-${stack}-workspaces`).map((r) => r.inputs.name);
            expect(roles).to.have.members([...config.teams.map((t) => `mlp-${stack}-workspace-${t}`), `mlp-${stack}-workspace-default`]);
            expect(plan.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
        });
    }
    for (const stack of STACKS) {
        it(`${stack}: every team reads the compute pool's job log group`, async () => {
            const plan = await planOf(stack);
            // The group the awslogs driver writes job output to (with the instance role; the job role has no logs grant).
            const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${BATCH_JOB_LOG_GROUP}`;
            for (const team of platformConfig(stack).workspaces!.teams) {
                const policy = plan.resources.find((r) => r.name === `mlp-${stack}-workspaces-team-${team}-policy`)!;
                const read = (parseJson(policy.inputs.policy).Statement as Statement[]).find((s) => s.Sid === "ReadJobLogs");
                expect(read?.Resource, team).to.deep.equal([group, `${group}:*`]);
            }
        });
    }
    it("prod has 15-20 engineers across 3-4 teams", async () => {
        const config = platformConfig("prod").workspaces!;
        expect(config.users.length).to.be.within(15, 20);
        expect(config.teams.length).to.be.within(3, 4);
    });
});

describe("workspaces config", () => {
    const cases: { name: string; change: Record<string, unknown>; path: string; expected: RegExp }[] = [
        { name: "a user listed twice", change: { users: [{ name: "asha", team: "recsys" }, { name: "Asha", team: "recsys" }] }, path: "ml-platform:workspaces.users[1].name", expected: /not already in the list/ },
        { name: "a user of an unknown team", change: { users: [{ name: "asha", team: "nlp" }] }, path: "ml-platform:workspaces.users[0].team", expected: /one of the teams in ml-platform:workspaces.teams \(forecasting, recsys\)/ },
        { name: "an invalid user name", change: { users: [{ name: "asha_patel", team: "recsys" }] }, path: "ml-platform:workspaces.users[0].name", expected: /SageMaker user profile name/ },
        { name: "a user name too long for its space", change: { users: [{ name: "a".repeat(53), team: "recsys" }] }, path: "ml-platform:workspaces.users[0].name", expected: /up to 52 characters/ },
        { name: "an unpriced instance type", change: { users: [{ name: "asha", team: "recsys", instanceType: "ml.x99.huge" }] }, path: "ml-platform:workspaces.users[0].instanceType", expected: /one of "ml.t3.medium"/ },
        { name: "a non-SageMaker default instance type", change: { defaultInstanceType: "t3.medium" }, path: "ml-platform:workspaces.defaultInstanceType", expected: /one of "ml\./ },
        { name: "an idle time below SageMaker's minimum", change: { idleTimeoutMinutes: 15 }, path: "ml-platform:workspaces.idleTimeoutMinutes", expected: /from 60/ },
        { name: "a malformed team", change: { teams: ["Vision Team"] }, path: "ml-platform:workspaces.teams[0]", expected: /team slug/ },
        { name: "a team listed twice", change: { teams: ["recsys", "recsys"], users: [] }, path: "ml-platform:workspaces.teams[1]", expected: /not already in the list/ },
        { name: "an unknown user key", change: { users: [{ name: "asha", team: "recsys", role: "admin" }] }, path: "ml-platform:workspaces.users[0].role", expected: /a known key/ },
        { name: "an unpinned Metaflow version", change: { metaflowVersion: "latest" }, path: "ml-platform:workspaces.metaflowVersion", expected: /pinned release/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.name} with the key path`, () => {
            const issues = issuesOf(withFields("ml-platform:workspaces", c.change));
            const issue = issues.find((i) => i.path === c.path);
            expect(issue, JSON.stringify(issues)).to.not.equal(undefined);
            expect(issue!.expected).to.match(c.expected);
        });
    }
    it("accepts a stack without workspaces", () => {
        const raw = withKey("ml-platform:workspaces", undefined);
        expect(parsePlatformConfig(raw, "dev").workspaces).to.equal(undefined);
    });
});
