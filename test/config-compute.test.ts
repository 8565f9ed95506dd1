import { expect } from "chai";
import { parsePlatformConfig } from "../stacks/config";
import { issuesOf, platformConfig, rejectedPaths, stackConfig, withBlock } from "./helpers/config";

const KEY = "ml-platform:compute";

describe("compute config", () => {
    it("reads the committed dev pool: all spot, scaled to zero, no on-demand", () => {
        const compute = platformConfig("dev").compute;
        expect(compute.spot.minVcpus).to.equal(0);
        expect(compute.spot.maxVcpus).to.equal(32);
        expect(compute.spot.instanceTypes).to.include("m7i.xlarge");
        expect(compute.onDemand.enabled).to.equal(false);
        expect(compute.gpu).to.deep.include({ minVcpus: 0, maxVcpus: 8, allowOnDemand: false, onDemandMaxVcpus: 0 });
        expect(compute.rootVolumeSizeGiB).to.equal(100);
    });

    it("reads the committed prod pool: on-demand fallback at no more than 30% of all vCPUs", () => {
        const compute = platformConfig("prod").compute;
        expect(compute.onDemand).to.deep.include({ enabled: true, fallback: true, minVcpus: 0, maxVcpus: 64 });
        expect(compute.gpu).to.deep.include({ allowOnDemand: true, onDemandMaxVcpus: 16 });
        const onDemand = compute.onDemand.maxVcpus + compute.gpu.onDemandMaxVcpus;
        const total = compute.spot.maxVcpus + compute.gpu.maxVcpus + onDemand;
        expect(onDemand / total).to.be.at.most(0.3);
    });

    it("keeps staging all spot", () => {
        const compute = platformConfig("staging").compute;
        expect(compute.onDemand.enabled).to.equal(false);
        expect(compute.gpu.allowOnDemand).to.equal(false);
    });

    it("defaults the on-demand instance types to the spot ones", () => {
        const raw = withBlock(KEY, (c) => (c.onDemand = { enabled: true, maxVcpus: 16 }));
        const compute = parsePlatformConfig(raw, "dev").compute;
        expect(compute.onDemand).to.deep.equal({ enabled: true, fallback: true, instanceTypes: compute.spot.instanceTypes, minVcpus: 0, maxVcpus: 16 });
    });

    it("requires the compute block", () => {
        const raw = stackConfig("dev");
        delete raw[KEY];
        expect(rejectedPaths(raw)).to.include(KEY);
    });

    it("rejects max vCPUs below min vCPUs, with the key path", () => {
        const issues = issuesOf(withBlock(KEY, (c) => Object.assign(c.spot, { minVcpus: 16, maxVcpus: 8 })));
        expect(issues).to.have.length(1);
        expect(issues[0]).to.deep.include({ path: `${KEY}.spot.maxVcpus`, value: 8 });
        expect(issues[0].expected).to.contain("minVcpus (16)");
    });

    it("rejects a max vCPUs no listed instance type fits into", () => {
        const issues = issuesOf(withBlock(KEY, (c) => (c.gpu.maxVcpus = 2)));
        expect(issues.map((i) => i.path)).to.deep.equal([`${KEY}.gpu.maxVcpus`]);
        expect(issues[0].expected).to.contain(">= 4");
    });

    it("rejects an unknown instance type, naming its position", () => {
        const issues = issuesOf(withBlock(KEY, (c) => (c.spot.instanceTypes = ["m7i.xlarge", "m7i.mega"])));
        expect(issues).to.have.length(1);
        expect(issues[0]).to.deep.include({ path: `${KEY}.spot.instanceTypes[1]`, value: "m7i.mega" });
        expect(issues[0].expected).to.contain("such as m7i.xlarge");
    });

    it("rejects a GPU type in a CPU list and a CPU type in the GPU list", () => {
        const paths = rejectedPaths(
            withBlock(KEY, (c) => {
                c.spot.instanceTypes = ["m7i.xlarge", "g5.xlarge"];
                c.gpu.instanceTypes = ["m7i.xlarge"];
            }),
        );
        expect(paths).to.include.members([`${KEY}.spot.instanceTypes[1]`, `${KEY}.gpu.instanceTypes[0]`]);
    });

    it("rejects an empty instance list", () => {
        expect(rejectedPaths(withBlock(KEY, (c) => (c.spot.instanceTypes = [])))).to.deep.equal([`${KEY}.spot.instanceTypes`]);
        expect(rejectedPaths(withBlock(KEY, (c) => (c.gpu.instanceTypes = [])))).to.deep.equal([`${KEY}.gpu.instanceTypes`]);
    });

    it("rejects a duplicated instance type", () => {
        expect(rejectedPaths(withBlock(KEY, (c) => (c.spot.instanceTypes = ["m7i.xlarge", "m7i.xlarge"])))).to.deep.equal([`${KEY}.spot.instanceTypes[1]`]);
    });

    it("rejects on-demand settings while on-demand is disabled, instead of ignoring them", () => {
        expect(rejectedPaths(withBlock(KEY, (c) => (c.onDemand = { enabled: false, maxVcpus: 16 })))).to.deep.equal([`${KEY}.onDemand.maxVcpus`]);
        expect(rejectedPaths(withBlock(KEY, (c) => (c.gpu.onDemandMaxVcpus = 8)))).to.deep.equal([`${KEY}.gpu.onDemandMaxVcpus`]);
    });

    it("requires the on-demand GPU size when on-demand GPU is allowed", () => {
        expect(rejectedPaths(withBlock(KEY, (c) => (c.gpu.allowOnDemand = true)))).to.deep.equal([`${KEY}.gpu.onDemandMaxVcpus`]);
    });

    it("rejects unknown keys and a root volume smaller than the AMI", () => {
        const paths = rejectedPaths(
            withBlock(KEY, (c) => {
                c.spot.maxVcpu = 8;
                c.rootVolumeSizeGiB = 20;
            }),
        );
        expect(paths).to.have.members([`${KEY}.spot.maxVcpu`, `${KEY}.rootVolumeSizeGiB`]);
    });
});
