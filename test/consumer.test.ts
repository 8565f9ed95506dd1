import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { MissingStackOutputError, mlPlatformOutputs, OUTPUTS_VERSION, STACK_OUTPUT_NAMES } from "../stacks/consumer";
import { OPTIONAL_OUTPUTS } from "../stacks/outputs";
import type { StackReferenceFixture } from "../tools/mocks/runtime";
import { record } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";

const STACK = "acme/ml-platform/prod";

/** What a deployed prod stack publishes (values shortened); the auth key makes metaflowConfig secret. */
const PUBLISHED: StackReferenceFixture = {
    outputs: {
        outputsVersion: 1,
        metaflowConfig: { METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_SERVICE_AUTH_KEY: "k3y" },
        gpuQueueArn: "arn:aws:batch:us-east-1:123456789012:job-queue/mlp-prod-gpu",
        jobQueueArns: ["arn:aws:batch:us-east-1:123456789012:job-queue/mlp-prod-cpu", "arn:aws:batch:us-east-1:123456789012:job-queue/mlp-prod-gpu"],
        outputsVersionNote: "unrelated outputs are ignored",
    },
    secretOutputNames: ["metaflowConfig"],
};

interface Read {
    value?: unknown;
    secret?: boolean;
    /** A failed read: the error's class and message (an Error itself would not survive the mocked run). */
    error?: { missingOutput: boolean; message: string };
}

/** Reads one output of a referenced stack inside a mocked program; a failed read comes back as its error. */
async function read(name: Parameters<ReturnType<typeof mlPlatformOutputs>["get"]>[0], fixture: StackReferenceFixture = PUBLISHED): Promise<Read> {
    const run = await record(
        async (): Promise<Read> => {
            const output = mlPlatformOutputs(STACK).get(name);
            try {
                return { value: await resolve(output), secret: await pulumi.isSecret(output) };
            } catch (e) {
                return { error: { missingOutput: e instanceof MissingStackOutputError, message: (e as Error).message } };
            }
        },
        { stack: "consumer", stackReferences: { [STACK]: fixture } },
    );
    return run.outputs;
}

describe("mlPlatformOutputs (the consumer helper)", () => {
    it("reads a typed output of the referenced stack", async () => {
        expect(await read("gpuQueueArn")).to.deep.equal({ value: "arn:aws:batch:us-east-1:123456789012:job-queue/mlp-prod-gpu", secret: false });
        expect(await read("jobQueueArns")).to.deep.include({ value: PUBLISHED.outputs.jobQueueArns });
    });

    it("keeps an output secret when the stack marks it secret", async () => {
        expect(await read("metaflowConfig")).to.deep.equal({ value: PUBLISHED.outputs.metaflowConfig, secret: true });
    });

    it("reads a missing optional output as undefined", async () => {
        expect(OPTIONAL_OUTPUTS.uiUrl).to.equal(true);
        expect(await read("uiUrl")).to.deep.equal({ value: undefined, secret: false });
    });

    it("fails with the stack, the output and the expected outputsVersion when a required output is missing", async () => {
        const { error } = await read("serviceUrl");
        expect(error?.missingOutput).to.equal(true);
        const message = error?.message;
        expect(message).to.contain(`Stack '${STACK}' has no output 'serviceUrl'`);
        expect(message).to.contain(`expects ml-platform outputsVersion ${OUTPUTS_VERSION}`);
        expect(message).to.contain("the stack publishes outputsVersion 1");
    });

    it("says so when the stack publishes no outputsVersion at all", async () => {
        const { error } = await read("gpuQueueName", { outputs: { vpcId: "vpc-1" } });
        expect(error?.message).to.contain("has no output 'gpuQueueName'").and.to.contain("publishes no outputsVersion");
    });

    it("references the stack by its full name", async () => {
        const run = await record(() => ({ ref: mlPlatformOutputs(STACK).get("outputsVersion") }), { stack: "consumer", stackReferences: { [STACK]: PUBLISHED } });
        expect(run.stackReferencesRead).to.deep.equal([STACK]);
        expect(run.outputs.ref).to.equal(1);
    });

    it("knows every output name of the API and which ones a stack may lack", () => {
        expect(STACK_OUTPUT_NAMES).to.include.members(["outputsVersion", "metaflowConfig", "serviceUrl", "alertTopicArn", "ssmMetaflowConfigParameter", "vpcId"]);
        expect(STACK_OUTPUT_NAMES.filter((n) => OPTIONAL_OUTPUTS[n])).to.have.members(["cpuOnDemandQueueName", "cpuOnDemandQueueArn", "daskSchedulerAddress", "uiUrl", "eksClusterName"]);
    });
});
