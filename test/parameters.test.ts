import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ParameterStore, pipelineParametersArnPattern, type ParameterStoreArgs } from "../components/parameters";
import { ssmParameterSecure } from "../policies/security/data";
import { ofType, one, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { evaluate } from "./helpers/policies";

const ACCOUNT = "444455556666";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
const PARAMETER = "aws:ssm/parameter:Parameter";

const BASE: ParameterStoreArgs = {
    environment: "staging",
    region: "us-east-1",
    accountId: ACCOUNT,
    kmsKeyArn: KEY,
    metaflowConfig: { METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_SERVICE_AUTH_KEY: pulumi.secret("k3y"), METAFLOW_UI_URL: undefined },
    jobQueueNames: { cpu: "mlp-staging-cpu", gpu: "mlp-staging-gpu" },
};

async function run(args: ParameterStoreArgs) {
    return record(async () => {
        const store = new ParameterStore("params", args, { providers: [testProvider()] });
        return {
            parameterNames: await resolve(store.parameterNames),
            pipelinesPath: await resolve(store.pipelinesPath),
            pipelinesArnPattern: await resolve(store.pipelinesArnPattern),
            metaflowConfigParameterName: await resolve(store.metaflowConfigParameterName),
        };
    });
}

const byName = (resources: readonly RecordedResource[]) => Object.fromEntries(ofType(resources, PARAMETER).map((p) => [p.inputs.name, p.inputs]));

describe("ParameterStore", () => {
    describe("standalone (no upstream stacks)", () => {
        let resources: RecordedResource[];
        let outputs: Awaited<ReturnType<typeof run>>["outputs"];

        before(async () => {
            ({ resources, outputs } = await run(BASE));
        });

        it("publishes the Metaflow config as a KMS-encrypted SecureString JSON, absent keys left out", () => {
            const config = one(resources, PARAMETER, "params-metaflow-config");
            expect(config.inputs.name).to.equal("/ml-platform/staging/metaflow/config");
            expect(config.inputs.type).to.equal("SecureString");
            expect(config.inputs.keyId).to.equal(KEY);
            expect(JSON.parse(config.inputs.value)).to.deep.equal({ METAFLOW_DEFAULT_DATASTORE: "s3", METAFLOW_SERVICE_AUTH_KEY: "k3y" });
            expect(config.displayInputs.value).to.equal("[secret]");
        });

        it("publishes each queue name as a plain String, and nothing for absent upstream stacks", () => {
            expect(Object.keys(byName(resources)).sort()).to.deep.equal([
                "/ml-platform/staging/batch/queues/cpu",
                "/ml-platform/staging/batch/queues/gpu",
                "/ml-platform/staging/metaflow/config",
            ]);
            expect(byName(resources)["/ml-platform/staging/batch/queues/gpu"]).to.deep.include({ type: "String", value: "mlp-staging-gpu" });
        });

        it("exposes the parameter names and the hyperparameter namespace", () => {
            expect(outputs.parameterNames).to.deep.equal({
                "metaflow-config": "/ml-platform/staging/metaflow/config",
                "queue-cpu": "/ml-platform/staging/batch/queues/cpu",
                "queue-gpu": "/ml-platform/staging/batch/queues/gpu",
            });
            expect(outputs.metaflowConfigParameterName).to.equal("/ml-platform/staging/metaflow/config");
            expect(outputs.pipelinesPath).to.equal("/ml-platform/staging/pipelines");
            expect(outputs.pipelinesArnPattern).to.equal(`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/ml-platform/staging/pipelines/*`);
        });

        it("passes the ssm-parameter-secure policy", async () => {
            const { violations } = await evaluate([ssmParameterSecure], resources);
            expect(violations).to.deep.equal([]);
        });
    });

    describe("with the A01 data lake and the A02 Dask stack", () => {
        it("publishes the scheduler address, the raw and curated bucket names and the Glue database", async () => {
            const { resources, outputs } = await run({
                ...BASE,
                daskSchedulerAddress: "tcp://dask-scheduler.a02-staging.internal:8786",
                dataLake: { rawBucketName: "acme-a01-raw-staging", curatedBucketName: "acme-a01-curated-staging", glueDatabaseName: "acme_curated_staging" },
            });
            const params = byName(resources);
            expect(params["/ml-platform/staging/dask/scheduler-address"]).to.deep.include({ type: "String", value: "tcp://dask-scheduler.a02-staging.internal:8786" });
            expect(params["/ml-platform/staging/datalake/raw-bucket"]).to.deep.include({ type: "String", value: "acme-a01-raw-staging" });
            expect(params["/ml-platform/staging/datalake/curated-bucket"]).to.deep.include({ type: "String", value: "acme-a01-curated-staging" });
            expect(params["/ml-platform/staging/datalake/glue-database"]).to.deep.include({ type: "String", value: "acme_curated_staging" });
            expect(outputs.parameterNames["datalake-glue-database"]).to.equal("/ml-platform/staging/datalake/glue-database");
        });
    });

    describe("pipelineParametersArnPattern", () => {
        it("scopes one team's or one pipeline's keys, or the whole namespace", () => {
            const base = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/ml-platform/prod/pipelines`;
            expect(pipelineParametersArnPattern("eu-west-1", ACCOUNT, "prod", "vision")).to.equal(`${base}/vision/*`);
            expect(pipelineParametersArnPattern("eu-west-1", ACCOUNT, "prod", "vision/churn")).to.equal(`${base}/vision/churn/*`);
            expect(pipelineParametersArnPattern("eu-west-1", ACCOUNT, "prod")).to.equal(`${base}/*`);
        });

        it("refuses a path that would widen the pattern or leave the namespace", () => {
            for (const bad of ["vision/*", "a*", "../x", "vision//churn", ""]) {
                expect(() => pipelineParametersArnPattern("eu-west-1", ACCOUNT, "prod", bad), bad).to.throw("SSM path segments");
            }
        });
    });
});
