import { expect } from "chai";
import { ComputePool, environmentPlans, queuePlans, type ComputePoolArgs } from "../components/compute-pool";
import { DRIFT_NAMESPACE } from "../components/monitoring";
import { REQUIRED_TAG_KEYS } from "../components/shared";
import { MOCK_ACCOUNT_ID } from "../tools/mocks/values";
import { one, ofType, parseJson, record, TEST_TAGS, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";

const CE = "aws:batch/computeEnvironment:ComputeEnvironment";
const QUEUE = "aws:batch/jobQueue:JobQueue";
const ROLE = "aws:iam/role:Role";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const ARTIFACT_BUCKET = "arn:aws:s3:::mlp-dev-artifacts";
const ARTIFACT_KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/artifact-key`;
const LAKE = {
    rawBucketArn: "arn:aws:s3:::acme-a01-raw-dev",
    curatedBucketArn: "arn:aws:s3:::acme-a01-curated-dev",
    kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/lake-key",
    glueDatabaseName: "acme_curated_dev",
};
const PARAMETER_KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/parameter-key`;
const DASK = { schedulerAddress: "tcp://dask-scheduler.a02-dev.internal:8786", schedulerPort: 8786, clusterSecurityGroupId: "sg-0a02da5c000000001" };
const SUBNETS = ["subnet-0aaa", "subnet-0bbb"];
/** The one job role statement with a "*" resource: cloudwatch:PutMetricData has no resource-level permissions. */
const PUBLISH_DRIFT = {
    Sid: "PublishModelDrift",
    Effect: "Allow",
    Action: "cloudwatch:PutMetricData",
    Resource: "*",
    Condition: { StringEquals: { "cloudwatch:namespace": "MLPlatform/ModelDrift" } },
};

/** A dev-shaped pool: spot CPU and GPU only, no upstream stacks. */
const DEV_ARGS: ComputePoolArgs = {
    environment: "dev",
    tags: TEST_TAGS,
    vpcId: "vpc-0test",
    vpcCidrBlock: "10.20.0.0/16",
    subnetIds: SUBNETS,
    spot: { instanceTypes: ["m7i.xlarge", "m6i.xlarge", "c7i.2xlarge"], maxVcpus: 32 },
    gpu: { instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"], maxVcpus: 8 },
    rootVolumeSizeGiB: 120,
    artifactStore: { bucketArn: ARTIFACT_BUCKET, kmsKeyArn: ARTIFACT_KEY },
};

/** A prod-shaped pool: on-demand fallbacks, the A01 data lake, the A02 Dask cluster, a parameter key. */
const PROD_ARGS: ComputePoolArgs = {
    ...DEV_ARGS,
    environment: "prod",
    spot: { instanceTypes: ["m7i.2xlarge", "m6i.2xlarge", "r7i.2xlarge"], maxVcpus: 256 },
    onDemand: { instanceTypes: ["m7i.2xlarge", "m6i.2xlarge"], maxVcpus: 64 },
    gpu: { instanceTypes: ["g6.xlarge", "g5.xlarge"], maxVcpus: 64, onDemandMaxVcpus: 16 },
    dataLake: LAKE,
    dask: DASK,
    parameterKmsKeyArn: PARAMETER_KEY,
};

interface PoolOutputs {
    cpuQueueName: string;
    cpuOnDemandQueueName?: string;
    gpuQueueName: string;
    jobQueueArns: string[];
    computeEnvironmentArns: string[];
    jobRoleArn: string;
    jobSecurityGroupId: string;
    jobLogGroupName: string;
    daskSchedulerAddress?: string;
}

async function recordPool(args: ComputePoolArgs): Promise<{ resources: RecordedResource[]; outputs: PoolOutputs }> {
    return record(async () => {
        const pool = new ComputePool("pool", args, { providers: [testProvider()] });
        return {
            cpuQueueName: await resolve(pool.cpuQueueName),
            cpuOnDemandQueueName: pool.cpuOnDemandQueueName && (await resolve(pool.cpuOnDemandQueueName)),
            gpuQueueName: await resolve(pool.gpuQueueName),
            jobQueueArns: await resolve(pool.jobQueueArns),
            computeEnvironmentArns: await resolve(pool.computeEnvironmentArns),
            jobRoleArn: await resolve(pool.jobRoleArn),
            jobSecurityGroupId: await resolve(pool.jobSecurityGroupId),
            jobLogGroupName: await resolve(pool.jobLogGroupName),
            daskSchedulerAddress: pool.daskSchedulerAddress && (await resolve(pool.daskSchedulerAddress)),
        };
    });
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]) as string[];

/** The job role's inline policy, by statement id. */
function jobStatements(resources: RecordedResource[]): Record<string, any> {
    const doc = parseJson(one(resources, "aws:iam/rolePolicy:RolePolicy", "pool-job-access").inputs.policy);
    expect(doc.Version).to.equal("2012-10-17");
    return Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
}

/** The compute environment ARNs a queue uses, in Batch's order. */
function queueOrder(resources: RecordedResource[], queue: string): string[] {
    const orders = one(resources, QUEUE, queue).inputs.computeEnvironmentOrders as { computeEnvironment: string; order: number }[];
    return [...orders].sort((a, b) => a.order - b.order).map((o) => o.computeEnvironment);
}

const arnOf = (resources: RecordedResource[], role: string) => one(resources, CE, `pool-${role}`).state.arn as string;

describe("ComputePool", () => {
    describe("spot only, standalone (dev-like)", () => {
        let resources: RecordedResource[];
        let outputs: PoolOutputs;

        before(async () => {
            ({ resources, outputs } = await recordPool(DEV_ARGS));
        });

        it("creates a CPU spot and a GPU spot environment and nothing on demand", () => {
            expect(ofType(resources, CE).map((r) => r.name)).to.have.members(["pool-cpu-spot", "pool-gpu-spot"]);
        });

        it("runs CPU jobs on diverse spot capacity, price-capacity optimized, scaled to zero", () => {
            const ce = one(resources, CE, "pool-cpu-spot");
            expect(ce.inputs.type).to.equal("MANAGED");
            expect(ce.inputs.state).to.equal("ENABLED");
            expect(ce.inputs.computeResources).to.deep.include({
                type: "SPOT",
                allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED",
                instanceTypes: ["m7i.xlarge", "m6i.xlarge", "c7i.2xlarge"],
                minVcpus: 0,
                maxVcpus: 32,
                ec2Configurations: [{ imageType: "ECS_AL2023" }],
            });
        });

        it("runs GPU jobs on spot with the ECS NVIDIA AMI", () => {
            expect(one(resources, CE, "pool-gpu-spot").inputs.computeResources).to.deep.include({
                type: "SPOT",
                allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED",
                instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
                minVcpus: 0,
                maxVcpus: 8,
                ec2Configurations: [{ imageType: "ECS_AL2023_NVIDIA" }],
            });
        });

        it("places every environment in the private subnets, with the job security group, instance profile and launch template", () => {
            const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup", "pool-jobs");
            const profile = one(resources, "aws:iam/instanceProfile:InstanceProfile", "pool-instance-profile");
            const template = one(resources, "aws:ec2/launchTemplate:LaunchTemplate", "pool-launch-template");
            for (const ce of ofType(resources, CE)) {
                const cr = ce.inputs.computeResources;
                expect(cr.subnets, ce.name).to.deep.equal(SUBNETS);
                expect(cr.securityGroupIds, ce.name).to.deep.equal([sg.state.id]);
                expect(cr.instanceRole, ce.name).to.equal(profile.state.arn);
                expect(cr.launchTemplate, ce.name).to.deep.equal({ launchTemplateId: template.state.id, version: "1" });
            }
        });

        it("names environments by prefix and replaces them create-before-delete", () => {
            for (const [name, prefix] of [
                ["pool-cpu-spot", "mlp-dev-cpu-spot-"],
                ["pool-gpu-spot", "mlp-dev-gpu-spot-"],
            ]) {
                const ce = one(resources, CE, name);
                expect(ce.inputs.namePrefix, name).to.equal(prefix);
                expect(ce.inputs.name, name).to.equal(undefined);
                expect(ce.deleteBeforeReplace, name).to.equal(false);
            }
        });

        it("uses Batch's service-linked role and needs no Spot Fleet role", () => {
            for (const ce of ofType(resources, CE)) {
                expect(ce.inputs.serviceRole, ce.name).to.equal(undefined);
                expect(ce.inputs.computeResources.spotIamFleetRole, ce.name).to.equal(undefined);
            }
        });

        it("keeps each environment until the instance role's policy can go after it", () => {
            const attachment = one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "pool-instance-policy");
            for (const ce of ofType(resources, CE)) expect(ce.dependencies, ce.name).to.include(attachment.urn);
        });

        it("tags what Batch launches with the platform's tags", () => {
            for (const ce of ofType(resources, CE)) {
                const tags = ce.inputs.computeResources.tags;
                for (const key of REQUIRED_TAG_KEYS) expect(tags[key], `${ce.name} ${key}`).to.equal(TEST_TAGS[key]);
                expect(tags.Component).to.equal("compute-pool");
            }
        });

        it("has a cpu and a gpu queue, each on its spot environment, and no on-demand queue", () => {
            expect(ofType(resources, QUEUE).map((q) => q.name)).to.have.members(["pool-cpu-queue", "pool-gpu-queue"]);
            expect(queueOrder(resources, "pool-cpu-queue")).to.deep.equal([arnOf(resources, "cpu-spot")]);
            expect(queueOrder(resources, "pool-gpu-queue")).to.deep.equal([arnOf(resources, "gpu-spot")]);
            expect(outputs.cpuOnDemandQueueName).to.equal(undefined);
        });

        it("publishes stable physical queue names and every queue and environment ARN", () => {
            expect(one(resources, QUEUE, "pool-cpu-queue").inputs).to.deep.include({ name: "mlp-dev-cpu", state: "ENABLED" });
            expect(outputs.cpuQueueName).to.equal("mlp-dev-cpu");
            expect(outputs.gpuQueueName).to.equal("mlp-dev-gpu");
            expect(outputs.jobQueueArns).to.have.members(ofType(resources, QUEUE).map((q) => q.state.arn));
            expect(outputs.computeEnvironmentArns).to.have.members(ofType(resources, CE).map((c) => c.state.arn));
        });

        it("cancels jobs that no environment of the queue can ever run, instead of blocking the queue", () => {
            for (const queue of ofType(resources, QUEUE)) {
                expect(queue.inputs.jobStateTimeLimitActions, queue.name).to.deep.equal([
                    { action: "CANCEL", state: "RUNNABLE", maxTimeSeconds: 1800, reason: "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT" },
                    { action: "CANCEL", state: "RUNNABLE", maxTimeSeconds: 1800, reason: "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE" },
                ]);
            }
        });

        it("requires IMDSv2 with the hop limit containers need, on an encrypted gp3 root volume", () => {
            const template = one(resources, "aws:ec2/launchTemplate:LaunchTemplate", "pool-launch-template").inputs;
            expect(template.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 });
            expect(template.blockDeviceMappings).to.deep.equal([
                { deviceName: "/dev/xvda", ebs: { volumeType: "gp3", volumeSize: 120, encrypted: "true", deleteOnTermination: "true" } },
            ]);
        });

        it("tags the instances and volumes launched from the template", () => {
            const specs = one(resources, "aws:ec2/launchTemplate:LaunchTemplate", "pool-launch-template").inputs.tagSpecifications as any[];
            expect(specs.map((s) => s.resourceType)).to.deep.equal(["instance", "volume"]);
            for (const spec of specs) expect(spec.tags).to.deep.equal({ ...TEST_TAGS, Component: "compute-pool" });
        });

        it("accepts no inbound traffic on the job security group", () => {
            const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup", "pool-jobs");
            expect(sg.inputs.vpcId).to.equal("vpc-0test");
            expect(sg.inputs.ingress).to.deep.equal([]);
            expect(sg.inputs.egress.map((e: any) => [e.protocol, e.fromPort, e.toPort, e.cidrBlocks])).to.deep.equal([
                ["tcp", 443, 443, ["0.0.0.0/0"]],
                ["tcp", 80, 80, ["0.0.0.0/0"]],
                ["tcp", 0, 65535, ["10.20.0.0/16"]],
            ]);
            expect(ofType(resources, INGRESS_RULE)).to.have.length(0);
            expect(outputs.daskSchedulerAddress).to.equal(undefined);
        });

        it("lets only EC2 assume the instance role, with the ECS agent's managed policy", () => {
            const trust = parseJson(one(resources, ROLE, "pool-instance-role").inputs.assumeRolePolicy);
            expect(trust.Statement).to.deep.equal([{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }]);
            const attachment = one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "pool-instance-policy");
            expect(attachment.inputs.policyArn).to.equal("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role");
        });

        it("gives the instance role, which containers reach through IMDS, nothing but the ECS agent's managed policy", () => {
            const role = one(resources, ROLE, "pool-instance-role");
            const onRole = (type: string) => ofType(resources, type).filter((r) => [role.state.name, role.state.id].includes(r.inputs.role));
            expect(onRole("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => r.inputs.policyArn)).to.deep.equal([
                "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
            ]);
            expect(onRole("aws:iam/rolePolicy:RolePolicy")).to.deep.equal([]);
            expect(role.inputs.managedPolicyArns ?? []).to.deep.equal([]);
            expect(role.inputs.inlinePolicies ?? []).to.deep.equal([]);
        });

        it("lets only ECS tasks of this account assume the job role", () => {
            const trust = parseJson(one(resources, ROLE, "pool-job-role").inputs.assumeRolePolicy);
            expect(trust.Statement).to.deep.equal([
                { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } } },
            ]);
            expect(outputs.jobRoleArn).to.equal(one(resources, ROLE, "pool-job-role").state.arn);
        });

        it("grants the job role no wildcard action, and a wildcard resource only for PutMetricData held to the drift namespace", () => {
            for (const s of Object.values(jobStatements(resources))) {
                expect(s.Effect, s.Sid).to.equal("Allow");
                for (const action of asList(s.Action)) expect(action, s.Sid).to.match(/^[a-z0-9]+:[A-Za-z]+$/);
                if (s.Sid === PUBLISH_DRIFT.Sid) expect(s).to.deep.equal(PUBLISH_DRIFT);
                else for (const resource of asList(s.Resource)) expect(resource, s.Sid).to.not.equal("*");
            }
        });

        it("lets jobs publish the model drift metric, only to the namespace the drift alarms watch", () => {
            expect(jobStatements(resources).PublishModelDrift).to.deep.equal(PUBLISH_DRIFT);
            expect(PUBLISH_DRIFT.Condition.StringEquals["cloudwatch:namespace"]).to.equal(DRIFT_NAMESPACE);
        });

        it("exposes the log group job output goes to, for the workspaces' `metaflow logs`, and grants the job role nothing in CloudWatch Logs", () => {
            expect(outputs.jobLogGroupName).to.equal("/aws/batch/job");
            // The awslogs driver writes with the instance role (the ECS agent), never the job role.
            const logs = Object.values(jobStatements(resources)).filter((st: any) => asList(st.Action).some((a) => a.startsWith("logs:")));
            expect(logs).to.deep.equal([]);
        });

        it("lets jobs read and write the artifact store, and use its key only through S3", () => {
            const s = jobStatements(resources);
            expect(s.ArtifactStoreReadWrite.Resource).to.deep.equal([ARTIFACT_BUCKET, `${ARTIFACT_BUCKET}/*`]);
            expect(s.ArtifactStoreReadWrite.Action).to.have.members(["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]);
            expect(s.ArtifactStoreKey).to.deep.include({ Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: ARTIFACT_KEY });
            expect(s.ArtifactStoreKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
        });

        it("lets jobs read the environment's parameters, nothing wider", () => {
            const s = jobStatements(resources);
            const parameters = `arn:aws:ssm:us-east-1:${MOCK_ACCOUNT_ID}:parameter/ml-platform/dev`;
            expect(s.PlatformParameters).to.deep.include({ Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"], Resource: [parameters, `${parameters}/*`] });
        });

        it("grants nothing on a data lake or parameter key it was not given", () => {
            expect(Object.keys(jobStatements(resources))).to.have.members(["ArtifactStoreReadWrite", "ArtifactStoreKey", "PlatformParameters", "PublishModelDrift"]);
        });

        it("parents every child to the component and inherits the tagged provider", () => {
            const component = one(resources, "ml-platform:compute:ComputePool", "pool");
            const children = resources.filter((r) => r.custom && r.type.startsWith("aws:"));
            expect(children.length).to.be.greaterThan(8);
            for (const child of children) {
                expect(child.parent, child.name).to.equal(component.urn);
                expect(child.provider, child.name).to.match(/pulumi:providers:aws::aws$/);
            }
        });
    });

    describe("with on-demand fallbacks, the data lake and Dask (prod-like)", () => {
        let resources: RecordedResource[];
        let outputs: PoolOutputs;

        before(async () => {
            ({ resources, outputs } = await recordPool(PROD_ARGS));
        });

        it("adds on-demand CPU and GPU environments, best fit progressive, scaled to zero", () => {
            expect(one(resources, CE, "pool-cpu-ondemand").inputs.computeResources).to.deep.include({
                type: "EC2",
                allocationStrategy: "BEST_FIT_PROGRESSIVE",
                instanceTypes: ["m7i.2xlarge", "m6i.2xlarge"],
                minVcpus: 0,
                maxVcpus: 64,
                ec2Configurations: [{ imageType: "ECS_AL2023" }],
            });
            expect(one(resources, CE, "pool-gpu-ondemand").inputs.computeResources).to.deep.include({
                type: "EC2",
                allocationStrategy: "BEST_FIT_PROGRESSIVE",
                instanceTypes: ["g6.xlarge", "g5.xlarge"],
                minVcpus: 0,
                maxVcpus: 16,
                ec2Configurations: [{ imageType: "ECS_AL2023_NVIDIA" }],
            });
            expect(one(resources, CE, "pool-cpu-ondemand").inputs.namePrefix).to.equal("mlp-prod-cpu-ondemand-");
        });

        it("tries spot first and on-demand after it in the cpu and gpu queues", () => {
            expect(queueOrder(resources, "pool-cpu-queue")).to.deep.equal([arnOf(resources, "cpu-spot"), arnOf(resources, "cpu-ondemand")]);
            expect(queueOrder(resources, "pool-gpu-queue")).to.deep.equal([arnOf(resources, "gpu-spot"), arnOf(resources, "gpu-ondemand")]);
        });

        it("offers an on-demand-only queue that outranks fallback work on the shared environment", () => {
            expect(queueOrder(resources, "pool-cpu-ondemand-queue")).to.deep.equal([arnOf(resources, "cpu-ondemand")]);
            const priority = (q: string) => one(resources, QUEUE, q).inputs.priority as number;
            expect(priority("pool-cpu-ondemand-queue")).to.be.greaterThan(priority("pool-cpu-queue"));
            expect(outputs.cpuOnDemandQueueName).to.equal("mlp-prod-cpu-ondemand");
            expect(outputs.jobQueueArns).to.have.length(3);
            expect(outputs.computeEnvironmentArns).to.have.length(4);
        });

        it("lets jobs read, never write, the A01 raw and curated buckets", () => {
            const s = jobStatements(resources);
            expect(s.DataLakeRead.Action).to.have.members(["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"]);
            expect(s.DataLakeRead.Resource).to.deep.equal([LAKE.curatedBucketArn, `${LAKE.curatedBucketArn}/*`, LAKE.rawBucketArn, `${LAKE.rawBucketArn}/*`]);
            expect(s.DataLakeKey).to.deep.include({ Action: ["kms:Decrypt"], Resource: LAKE.kmsKeyArn });
            expect(s.DataLakeKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
            const lakeArns = [LAKE.curatedBucketArn, LAKE.rawBucketArn, LAKE.kmsKeyArn];
            const touchingLake = Object.values(s).filter((st: any) => asList(st.Resource).some((r) => lakeArns.some((a) => r.startsWith(a))));
            expect(touchingLake.map((st: any) => st.Sid)).to.have.members(["DataLakeRead", "DataLakeKey"]);
        });

        it("lets jobs read the A01 Glue database's tables and partitions, and nothing else of the catalog", () => {
            const s = jobStatements(resources);
            const glue = `arn:aws:glue:us-east-1:${MOCK_ACCOUNT_ID}`;
            expect(s.DataLakeCatalogRead.Action).to.have.members(["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]);
            expect(s.DataLakeCatalogRead.Resource).to.deep.equal([`${glue}:catalog`, `${glue}:database/acme_curated_dev`, `${glue}:table/acme_curated_dev/*`]);
            const glueStatements = Object.values(s).filter((st: any) => asList(st.Action).some((a) => a.startsWith("glue:")));
            expect(glueStatements.map((st: any) => st.Sid)).to.deep.equal(["DataLakeCatalogRead"]);
        });

        it("lets jobs decrypt SecureString parameters with the given key only through SSM", () => {
            const s = jobStatements(resources);
            expect(s.PlatformParametersKey).to.deep.include({ Action: ["kms:Decrypt"], Resource: PARAMETER_KEY });
            expect(s.PlatformParametersKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "ssm.us-east-1.amazonaws.com" } });
            expect(s.PlatformParameters.Resource[0]).to.match(/:parameter\/ml-platform\/prod$/);
        });

        it("opens the Dask scheduler port to the job security group, and only that", () => {
            const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup", "pool-jobs");
            const rule = one(resources, INGRESS_RULE, "pool-dask-scheduler");
            expect(rule.inputs).to.deep.include({
                securityGroupId: DASK.clusterSecurityGroupId,
                referencedSecurityGroupId: sg.state.id,
                ipProtocol: "tcp",
                fromPort: 8786,
                toPort: 8786,
            });
            expect(rule.inputs.cidrIpv4).to.equal(undefined);
            expect(sg.inputs.egress).to.deep.include({ description: "A02 Dask scheduler", protocol: "tcp", fromPort: 8786, toPort: 8786, securityGroups: [DASK.clusterSecurityGroupId] });
            expect(outputs.daskSchedulerAddress).to.equal(DASK.schedulerAddress);
        });
    });

    describe("environment and queue plans", () => {
        it("keeps the on-demand queue but leaves it out of the cpu queue without fallback", () => {
            const plans = environmentPlans({ spot: DEV_ARGS.spot, onDemand: { instanceTypes: ["m7i.xlarge"], maxVcpus: 16, fallback: false }, gpu: DEV_ARGS.gpu });
            expect(queuePlans(plans, false).map((q) => [q.role, q.environments])).to.deep.equal([
                ["cpu", ["cpu-spot"]],
                ["cpu-ondemand", ["cpu-ondemand"]],
                ["gpu", ["gpu-spot"]],
            ]);
        });

        it("adds no on-demand GPU environment for an on-demand GPU size of 0", () => {
            const plans = environmentPlans({ spot: DEV_ARGS.spot, gpu: { ...DEV_ARGS.gpu, onDemandMaxVcpus: 0 } });
            expect(plans.map((p) => p.role)).to.deep.equal(["cpu-spot", "gpu-spot"]);
        });
    });

    it("refuses an environment without instance types or with max below min vCPUs", async () => {
        let error: unknown;
        try {
            await record(() => {
                new ComputePool("pool", { ...DEV_ARGS, spot: { instanceTypes: [], minVcpus: 8, maxVcpus: 4 } }, { providers: [testProvider()] });
            });
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.match(/cpu-spot: instanceTypes is empty/).and.match(/cpu-spot: maxVcpus must be a whole number >= 1 and >= minVcpus 8/);
    });
});
