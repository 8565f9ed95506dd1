import { expect } from "chai";
import { allowedInstanceTypes, batchSpotCompute, computeMaxVcpus, computePolicies, gpuLimits, spotDiversification } from "../policies/compute";
import { monthlyCostLimit } from "../policies/cost-limits";
import { estimateStackCost } from "../policies/cost/index";
import type { RecordedResource } from "../tools/mocks/runtime";
import { evaluate, fakeResource, messagesOf, providerResource } from "./helpers/policies";

const CE = "aws:batch/computeEnvironment:ComputeEnvironment";

/** A Batch compute environment as ComputePool records it, with computeResources overridden. */
function computeEnvironment(name: string, computeResources: Record<string, unknown>): RecordedResource {
    return fakeResource(CE, name, {
        type: "MANAGED",
        computeEnvironmentNamePrefix: `${name}-`,
        computeResources: {
            type: "SPOT",
            allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED",
            instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge"],
            minVcpus: 0,
            maxVcpus: 64,
            subnets: ["subnet-0a", "subnet-0b"],
            securityGroupIds: ["sg-0123"],
            instanceRole: "arn:aws:iam::123456789012:instance-profile/mlp-dev-compute-instance",
            launchTemplate: { launchTemplateId: "lt-0123", version: "$Latest" },
            ec2Configurations: [{ imageType: "ECS_AL2023" }],
            ...computeResources,
        },
    });
}

const gpuSpot = () => computeEnvironment("gpu-spot", { instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"], maxVcpus: 16, ec2Configurations: [{ imageType: "ECS_AL2023_NVIDIA" }] });

/** The compliant dev shape: CPU and GPU spot, scaled to zero. */
function devCompute(): RecordedResource[] {
    return [providerResource(), computeEnvironment("cpu-spot", {}), gpuSpot()];
}

/** The compliant prod shape: 256 spot CPU vCPUs, a 64-vCPU on-demand fallback (20%), GPU spot. */
function prodCompute(onDemandMaxVcpus = 64): RecordedResource[] {
    return [
        providerResource(),
        computeEnvironment("cpu-spot", { maxVcpus: 256 }),
        computeEnvironment("cpu-ondemand", { type: "EC2", allocationStrategy: "BEST_FIT_PROGRESSIVE", maxVcpus: onDemandMaxVcpus }),
        gpuSpot(),
    ];
}

/** `resources` with one resource's computeResources (or inputs) changed. */
function changed(resources: RecordedResource[], name: string, computeResources: Record<string, unknown>): RecordedResource[] {
    return resources.map((r) => (r.name === name ? { ...r, inputs: { ...r.inputs, computeResources: { ...r.inputs.computeResources, ...computeResources } } } : r));
}

const spotInstance = (marketType?: string) =>
    fakeResource("aws:ec2/instance:Instance", "worker", {
        ami: "ami-0123",
        instanceType: "m7i.large",
        metadataOptions: { httpTokens: "required" },
        ...(marketType ? { instanceMarketOptions: { marketType, spotOptions: { spotInstanceType: "one-time" } } } : {}),
    });

const nodeGroup = (capacityType: string, instanceTypes = ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge"]) =>
    fakeResource("aws:eks/nodeGroup:NodeGroup", "workers", {
        clusterName: "mlp-dev-eks",
        nodeRoleArn: "arn:aws:iam::123456789012:role/node",
        subnetIds: ["subnet-0a"],
        capacityType,
        instanceTypes,
        scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 4 },
    });

describe("compute policies", () => {
    it("compliant: the dev and prod shapes pass every compute policy at their environment's settings", async () => {
        const dev = await evaluate(computePolicies, devCompute(), { "batch-spot-compute": { minSpotShare: 1 } });
        expect(dev.violations).to.deep.equal([]);
        const prod = await evaluate(computePolicies, prodCompute(), { "batch-spot-compute": { minSpotShare: 0.7 } });
        expect(prod.violations).to.deep.equal([]);
    });

    describe("batch-spot-compute", () => {
        const allSpot = { "batch-spot-compute": { minSpotShare: 1 } };

        it("noncompliant where everything must be spot: an on-demand environment", async () => {
            const result = await evaluate([batchSpotCompute], changed(devCompute(), "cpu-spot", { type: "EC2", allocationStrategy: "BEST_FIT_PROGRESSIVE" }), allSpot);
            const [message] = messagesOf(result, "batch-spot-compute");
            expect(message).to.include("'cpu-spot' runs on demand (64 max vCPUs)").and.include("minSpotShare 1").and.include("computeResources.type to SPOT");
            expect(result.violations[0].urn).to.equal(`urn:pulumi:dev::ml-platform::${CE}::cpu-spot`);
        });

        it("FARGATE_SPOT counts as spot; FARGATE does not", async () => {
            const fargate = (type: string) => [providerResource(), computeEnvironment("fargate", { type, allocationStrategy: undefined, instanceTypes: undefined, maxVcpus: 16 })];
            expect((await evaluate([batchSpotCompute], fargate("FARGATE_SPOT"), allSpot)).violations).to.deep.equal([]);
            expect(messagesOf(await evaluate([batchSpotCompute], fargate("FARGATE"), allSpot), "batch-spot-compute")[0]).to.include("FARGATE_SPOT");
        });

        it("noncompliant: a plain EC2 instance without spot market options; compliant with them", async () => {
            const onDemand = await evaluate([batchSpotCompute], [...devCompute(), spotInstance()], allSpot);
            expect(messagesOf(onDemand, "batch-spot-compute")).to.deep.equal([
                "EC2 instance 'worker' runs on demand (2 max vCPUs); this environment runs all compute on spot (minSpotShare 1). Set instanceMarketOptions.marketType to \"spot\", or remove it.",
            ]);
            expect((await evaluate([batchSpotCompute], [...devCompute(), spotInstance("spot")], allSpot)).violations).to.deep.equal([]);
        });

        it("noncompliant: an on-demand EKS node group; compliant with capacityType SPOT", async () => {
            const onDemand = await evaluate([batchSpotCompute], [...devCompute(), nodeGroup("ON_DEMAND")], allSpot);
            expect(messagesOf(onDemand, "batch-spot-compute")[0]).to.include("EKS node group 'workers' runs on demand (16 max vCPUs)").and.include('capacityType to "SPOT"');
            expect((await evaluate([batchSpotCompute], [...devCompute(), nodeGroup("SPOT")], allSpot)).violations).to.deep.equal([]);
        });

        it("compliant in prod: on-demand fallback at 20% of max vCPUs, under the 30% that minSpotShare 0.7 leaves", async () => {
            expect((await evaluate([batchSpotCompute], prodCompute(64), { "batch-spot-compute": { minSpotShare: 0.7 } })).violations).to.deep.equal([]);
        });

        it("noncompliant in prod: an on-demand fallback larger than minSpotShare allows, with the figure, limit and fix", async () => {
            const result = await evaluate([batchSpotCompute], prodCompute(192), {}); // default minSpotShare 0.7
            // spot 256 + 16 of 464 vCPUs = 58.6%; on-demand may be at most floor(272 * 0.3 / 0.7) = 116.
            expect(messagesOf(result, "batch-spot-compute")).to.deep.equal([
                "Spot is 58.6% of the stack's 464 max vCPUs (272 spot; on demand: Batch compute environment 'cpu-ondemand' (192)); at least 70% must be spot (minSpotShare 0.7). " +
                    "Lower the on-demand max vCPUs to 116 in total, or add spot capacity.",
            ]);
        });

        it("not applicable without compute", async () => {
            const result = await evaluate([batchSpotCompute], [providerResource()]);
            expect(result.notApplicable.map((n) => n.policy)).to.deep.equal(["batch-spot-compute"]);
        });
    });

    describe("spot-diversification", () => {
        it("noncompliant: a spot environment allocating with BEST_FIT_PROGRESSIVE", async () => {
            const result = await evaluate([spotDiversification], changed(devCompute(), "cpu-spot", { allocationStrategy: "BEST_FIT_PROGRESSIVE" }));
            expect(messagesOf(result, "spot-diversification")[0]).to.include("'cpu-spot' allocates spot with BEST_FIT_PROGRESSIVE").and.include("SPOT_PRICE_CAPACITY_OPTIMIZED");
        });

        it("noncompliant: no allocation strategy (Batch defaults to BEST_FIT)", async () => {
            const result = await evaluate([spotDiversification], changed(devCompute(), "cpu-spot", { allocationStrategy: undefined }));
            expect(messagesOf(result, "spot-diversification")[0]).to.include("BEST_FIT (the default)");
        });

        it("compliant: SPOT_CAPACITY_OPTIMIZED", async () => {
            expect((await evaluate([spotDiversification], changed(devCompute(), "cpu-spot", { allocationStrategy: "SPOT_CAPACITY_OPTIMIZED" }))).violations).to.deep.equal([]);
        });

        it("noncompliant: fewer instance types than minInstanceTypes", async () => {
            const result = await evaluate([spotDiversification], changed(devCompute(), "cpu-spot", { instanceTypes: ["m7i.xlarge", "m6i.xlarge"] }));
            expect(messagesOf(result, "spot-diversification")).to.deep.equal([
                "Batch compute environment 'cpu-spot' may launch 2 instance type(s) (m7i.xlarge, m6i.xlarge); spot capacity needs at least 3. Add similar types from other families or sizes to computeResources.instanceTypes.",
            ]);
        });

        it("a bare family counts as each of its sizes", async () => {
            const result = await evaluate([spotDiversification], [providerResource(), computeEnvironment("cpu-spot", { instanceTypes: ["m7i"] })], { "spot-diversification": { minInstanceTypes: 5 } });
            expect(result.violations).to.deep.equal([]);
        });

        it("on-demand environments are not checked", async () => {
            const result = await evaluate([spotDiversification], changed(prodCompute(), "cpu-ondemand", { instanceTypes: ["m7i.xlarge"] }));
            expect(result.violations).to.deep.equal([]);
        });

        it("noncompliant: a spot EKS node group with one instance type", async () => {
            const result = await evaluate([spotDiversification], [...devCompute(), nodeGroup("SPOT", ["m7i.xlarge"])]);
            expect(messagesOf(result, "spot-diversification")[0]).to.include("EKS node group 'workers' may launch 1 instance type(s)").and.include("to instanceTypes");
        });
    });

    describe("allowed-instance-types", () => {
        const onlyM7i = { "allowed-instance-types": { allowedInstanceTypes: ["m7i.*", "g5.xlarge"] } };

        it("compliant: every type matches a pattern", async () => {
            const resources = [providerResource(), computeEnvironment("cpu-spot", { instanceTypes: ["m7i.xlarge", "m7i.2xlarge"] }), computeEnvironment("gpu-spot", { instanceTypes: ["g5.xlarge"] })];
            expect((await evaluate([allowedInstanceTypes], resources, onlyM7i)).violations).to.deep.equal([]);
        });

        it("noncompliant: a type outside the allowed patterns", async () => {
            const result = await evaluate([allowedInstanceTypes], [providerResource(), computeEnvironment("cpu-spot", { instanceTypes: ["m7i.xlarge", "c7i.large"] })], onlyM7i);
            expect(messagesOf(result, "allowed-instance-types")).to.deep.equal([
                "Batch compute environment 'cpu-spot' may launch c7i.large, not allowed here (allowed: m7i.*, g5.xlarge). Remove them from computeResources.instanceTypes, or widen allowedInstanceTypes.",
            ]);
        });

        it("noncompliant: a type the catalogue and price table do not know, named", async () => {
            const result = await evaluate([allowedInstanceTypes], [providerResource(), computeEnvironment("cpu-spot", { instanceTypes: ["m7i.xlarge", "x9z.large"] })], { "allowed-instance-types": { allowedInstanceTypes: ["*"] } });
            expect(messagesOf(result, "allowed-instance-types")[0]).to.include("names x9z.large, not in the platform's instance catalogue and price table");
        });

        it("a bare family is allowed by family.* but not by one size", async () => {
            const family = [providerResource(), computeEnvironment("cpu-spot", { instanceTypes: ["m7i"] })];
            expect((await evaluate([allowedInstanceTypes], family, onlyM7i)).violations).to.deep.equal([]);
            const oneSize = await evaluate([allowedInstanceTypes], family, { "allowed-instance-types": { allowedInstanceTypes: ["m7i.large"] } });
            expect(messagesOf(oneSize, "allowed-instance-types")[0]).to.include("may launch m7i, not allowed here");
        });

        it("noncompliant: an EC2 instance of a disallowed type", async () => {
            const result = await evaluate([allowedInstanceTypes], [providerResource(), spotInstance("spot")], { "allowed-instance-types": { allowedInstanceTypes: ["c7i.*"] } });
            expect(messagesOf(result, "allowed-instance-types")[0]).to.include("'worker' may launch m7i.large").and.include("from instanceType");
        });
    });

    describe("compute-max-vcpus", () => {
        const limits = { "compute-max-vcpus": { maxVcpusPerEnvironment: 256, maxTotalVcpus: 400 } };

        it("compliant: within both limits", async () => {
            expect((await evaluate([computeMaxVcpus], prodCompute(), limits)).violations).to.deep.equal([]);
        });

        it("noncompliant: one environment above maxVcpusPerEnvironment", async () => {
            const result = await evaluate([computeMaxVcpus], changed(prodCompute(), "cpu-spot", { maxVcpus: 300 }), { "compute-max-vcpus": { maxVcpusPerEnvironment: 256, maxTotalVcpus: 1000 } });
            expect(messagesOf(result, "compute-max-vcpus")).to.deep.equal([
                "Batch compute environment 'cpu-spot' can scale to 300 vCPUs; the limit per environment is 256 (maxVcpusPerEnvironment). Lower its max vCPUs or split the work across queues.",
            ]);
            expect(result.violations[0].urn).to.equal(`urn:pulumi:dev::ml-platform::${CE}::cpu-spot`);
        });

        it("noncompliant: the total above maxTotalVcpus", async () => {
            const result = await evaluate([computeMaxVcpus], changed(prodCompute(), "cpu-ondemand", { maxVcpus: 200 }), limits);
            expect(messagesOf(result, "compute-max-vcpus")[0]).to.include("can scale to 472 vCPUs").and.include("the limit is 400 (maxTotalVcpus)");
        });
    });

    describe("gpu-limits", () => {
        const limits = { "gpu-limits": { allowedGpuFamilies: ["g6", "g5", "g4dn"], maxGpuVcpus: 16 } };

        it("compliant: allowed families within the GPU vCPU limit", async () => {
            expect((await evaluate([gpuLimits], devCompute(), limits)).violations).to.deep.equal([]);
        });

        it("noncompliant: a GPU family that is not allowed", async () => {
            const result = await evaluate([gpuLimits], devCompute(), { "gpu-limits": { allowedGpuFamilies: ["g6", "g5"], maxGpuVcpus: 16 } });
            expect(messagesOf(result, "gpu-limits")).to.deep.equal([
                "Batch compute environment 'gpu-spot' may launch GPU family g4dn, not allowed here (allowed: g6, g5). Remove those types from computeResources.instanceTypes.",
            ]);
        });

        it("noncompliant: a GPU family outside the catalogue is still recognised", async () => {
            const result = await evaluate([gpuLimits], changed(devCompute(), "gpu-spot", { instanceTypes: ["p5.48xlarge"], maxVcpus: 192 }), { "gpu-limits": { maxGpuVcpus: 256 } });
            expect(messagesOf(result, "gpu-limits")[0]).to.include("GPU family p5, not allowed");
        });

        it("noncompliant: GPU vCPUs above maxGpuVcpus", async () => {
            const result = await evaluate([gpuLimits], changed(devCompute(), "gpu-spot", { maxVcpus: 32 }), limits);
            expect(messagesOf(result, "gpu-limits")).to.deep.equal([
                "GPU compute can scale to 32 vCPUs (Batch compute environment 'gpu-spot' (32)); the limit is 16 (maxGpuVcpus). Lower the GPU environments' max vCPUs.",
            ]);
        });
    });
});

describe("monthly-cost-limit", () => {
    const nat = fakeResource("aws:ec2/natGateway:NatGateway", "nat-a", { subnetId: "subnet-0a", allocationId: "eipalloc-0123", connectivityType: "public" });
    const stack = () => [...devCompute(), nat];
    /** The estimate the policy must compare, from the cost model directly. */
    const estimate = estimateStackCost(
        stack().map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs })),
        "us-east-1",
    );

    it("compliant: budgets above the estimate", async () => {
        const result = await evaluate([monthlyCostLimit], stack(), { "monthly-cost-limit": { maxMonthlyCost: estimate.monthlyMax + 1, maxIdleMonthlyCost: estimate.monthlyIdle + 1 } });
        expect(result.violations).to.deep.equal([]);
    });

    it("noncompliant: a full-scale budget below the estimate, with the figure, the limit and the largest items", async () => {
        expect(estimate.monthlyMax).to.be.greaterThan(1000);
        const [message, ...rest] = messagesOf(await evaluate([monthlyCostLimit], stack(), { "monthly-cost-limit": { maxMonthlyCost: 1000, maxIdleMonthlyCost: 100 } }), "monthly-cost-limit");
        expect(rest).to.deep.equal([]);
        const figure = estimate.monthlyMax.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        expect(message).to.include(`Estimated cost at full scale is $${figure} a month, over maxMonthlyCost $1,000.00`).and.include(`${CE} 'cpu-spot'`).and.include("Lower the max vCPUs");
    });

    it("noncompliant: an idle budget below what is always on (the NAT gateway)", async () => {
        const result = await evaluate([monthlyCostLimit], stack(), { "monthly-cost-limit": { maxMonthlyCost: 100000, maxIdleMonthlyCost: 10 } });
        expect(messagesOf(result, "monthly-cost-limit")).to.deep.equal([
            "Estimated idle cost is $32.85 a month, over maxIdleMonthlyCost $10.00 (largest: aws:ec2/natGateway:NatGateway 'nat-a' $32.85). " +
                "Scale always-on resources down (minVcpus 0, fewer NAT gateways, a smaller database or fewer service tasks), or raise maxIdleMonthlyCost.",
        ]);
    });

    it("noncompliant: a stack the model cannot price says which type", async () => {
        const result = await evaluate([monthlyCostLimit], changed(stack(), "cpu-spot", { instanceTypes: ["x9z.large"] }), { "monthly-cost-limit": { maxMonthlyCost: 100000 } });
        expect(messagesOf(result, "monthly-cost-limit")[0]).to.include("cannot estimate this stack").and.include("'x9z.large'");
    });

    it("prices in the provider's region", async () => {
        const euProvider = { ...providerResource(), inputs: { ...providerResource().inputs, region: "eu-central-1" } };
        const result = await evaluate([monthlyCostLimit], [euProvider, ...stack().slice(1)], { "monthly-cost-limit": { maxMonthlyCost: 100000 } });
        expect(messagesOf(result, "monthly-cost-limit")[0]).to.include("no prices for region 'eu-central-1'");
    });
});
