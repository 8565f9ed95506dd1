/**
 * The migration runner Lambda's code, run with python3 against a stub boto3 that records the ECS
 * calls and plays back the task's outcome.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const RUNNER = path.join(__dirname, "..", "components", "metadata-service", "runner");

const STUB_BOTO3 = `
import json, os
calls = []
class _Waiter:
    def wait(self, **kwargs):
        calls.append(["wait", kwargs])
class _Ecs:
    def run_task(self, **kwargs):
        calls.append(["run_task", kwargs])
        if os.environ.get("STUB_START_FAILS"):
            return {"tasks": [], "failures": [{"reason": "RESOURCE:ENI"}]}
        return {"tasks": [{"taskArn": "arn:task/1"}], "failures": []}
    def get_waiter(self, name):
        calls.append(["get_waiter", name])
        return _Waiter()
    def describe_tasks(self, **kwargs):
        calls.append(["describe_tasks", kwargs])
        code = int(os.environ.get("STUB_EXIT_CODE", "0"))
        return {"tasks": [{"stoppedReason": "Essential container exited", "containers": [{"name": "migrate", "exitCode": code}, {"name": "other", "exitCode": 0}]}]}
    def update_service(self, **kwargs):
        calls.append(["update_service", kwargs])
def client(name):
    assert name == "ecs", name
    return _Ecs()
`;

const DRIVER = `
import json, sys, boto3, index
event = json.loads(sys.argv[1])
try:
    result = index.handler(event, None)
    print(json.dumps({"result": result, "calls": boto3.calls}))
except Exception as e:
    print(json.dumps({"error": str(e), "calls": boto3.calls}))
`;

interface RunnerOutcome {
    result?: Record<string, unknown>;
    error?: string;
    calls: [string, any][];
}

function runHandler(event: Record<string, unknown>, env: Record<string, string> = {}): RunnerOutcome {
    const stubs = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-runner-"));
    fs.writeFileSync(path.join(stubs, "boto3.py"), STUB_BOTO3);
    const run = spawnSync("python3", ["-c", DRIVER, JSON.stringify(event)], {
        env: { ...process.env, ...env, PYTHONPATH: `${stubs}${path.delimiter}${RUNNER}`, PYTHONDONTWRITEBYTECODE: "1" },
        encoding: "utf8",
    });
    expect(run.status, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as RunnerOutcome;
}

const MIGRATE = {
    action: "migrate",
    cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/meta",
    taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/meta-migrate:3",
    container: "migrate",
    subnets: ["subnet-1", "subnet-2"],
    securityGroups: ["sg-1"],
    logGroup: "/ml-platform/dev/metadata",
};

describe("metadata migration runner (Lambda code)", () => {
    it("runs the migration as a private one-off Fargate task and waits for it", () => {
        const outcome = runHandler(MIGRATE);
        expect(outcome.error).to.equal(undefined);
        expect(outcome.result).to.deep.equal({ taskArn: "arn:task/1", exitCode: 0 });
        const [name, runTask] = outcome.calls[0];
        expect(name).to.equal("run_task");
        expect(runTask).to.deep.include({ cluster: MIGRATE.cluster, taskDefinition: MIGRATE.taskDefinition, launchType: "FARGATE", count: 1 });
        expect(runTask.networkConfiguration.awsvpcConfiguration).to.deep.equal({ subnets: MIGRATE.subnets, securityGroups: MIGRATE.securityGroups, assignPublicIp: "DISABLED" });
        expect(outcome.calls.map((c) => c[0])).to.deep.equal(["run_task", "get_waiter", "wait", "describe_tasks"]);
    });

    it("fails the deployment when the migration exits non-zero, naming the log group", () => {
        const outcome = runHandler(MIGRATE, { STUB_EXIT_CODE: "1" });
        expect(outcome.error).to.match(/schema migration failed \(exit code 1: Essential container exited\); see log group \/ml-platform\/dev\/metadata/);
    });

    it("fails when the task cannot start", () => {
        expect(runHandler(MIGRATE, { STUB_START_FAILS: "1" }).error).to.match(/could not start the migration task: .*RESOURCE:ENI/);
    });

    it("restarts every service after a password rotation", () => {
        const outcome = runHandler({ action: "redeploy", cluster: "c", services: ["api", "ui-backend"] });
        expect(outcome.calls).to.deep.equal([
            ["update_service", { cluster: "c", service: "api", forceNewDeployment: true }],
            ["update_service", { cluster: "c", service: "ui-backend", forceNewDeployment: true }],
        ]);
    });

    it("rejects an unknown action", () => {
        expect(runHandler({ action: "drop" }).error).to.match(/unknown action 'drop'/);
    });
});
