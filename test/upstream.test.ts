import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePlatformConfig, type PlatformConfig } from "../stacks/config";
import { program } from "../stacks/program";
import { readUpstream } from "../stacks/upstream";
import { contractProblems, DASK_OUTPUTS, DATA_LAKE_OUTPUTS, toPort } from "../stacks/upstream-contracts";
import type { StackReferenceFixture } from "../tools/mocks/runtime";
import { loadStackReferenceFixtures } from "../tools/plan/fixtures";
import { mandatoryViolations, runPlan } from "../tools/plan/plan";
import { loadStackFiles } from "../tools/plan/stack-files";
import { stackConfig } from "./helpers/config";
import { record } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { planOf } from "./helpers/stacks";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = loadStackReferenceFixtures(ROOT);
const LAKE = "acme/a01-data-lake/staging";
const DASK = "acme/a02-dask/staging";
const NETWORK_TYPES = ["ml-platform:network:Network", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway"];

/** The staging stack's config, with overrides of top-level keys (undefined removes a key). */
function stagingConfig(overrides: Record<string, unknown> = {}): PlatformConfig {
    const raw: Record<string, unknown> = { ...stackConfig("staging"), ...overrides };
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete raw[key];
    return parsePlatformConfig(raw, "staging");
}

/** A fixture with some outputs removed or replaced. */
function fixtureWith(stack: string, change: Record<string, unknown>): StackReferenceFixture {
    const outputs: Record<string, unknown> = { ...FIXTURES[stack].outputs, ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete outputs[key];
    return { outputs };
}

/** Reads the upstream refs under mocks and resolves `pick` of them; returns the error message on failure. */
async function readWith<T>(config: PlatformConfig, references: Record<string, StackReferenceFixture>, pick: (u: ReturnType<typeof readUpstream>) => Promise<T>): Promise<{ value?: T; error?: string }> {
    try {
        const run = await record(() => pick(readUpstream(config)), { stack: "staging", stackReferences: references });
        return { value: run.outputs };
    } catch (e) {
        return { error: (e as Error).message };
    }
}

describe("upstream contracts", () => {
    it("accept the committed fixtures of every environment", () => {
        for (const env of ["dev", "staging", "prod"]) {
            expect(contractProblems(`acme/a01-data-lake/${env}`, FIXTURES[`acme/a01-data-lake/${env}`].outputs, DATA_LAKE_OUTPUTS)).to.deep.equal([]);
            expect(contractProblems(`acme/a02-dask/${env}`, FIXTURES[`acme/a02-dask/${env}`].outputs, DASK_OUTPUTS)).to.deep.equal([]);
        }
    });

    it("name the stack, the missing output and what it is needed for", () => {
        const { outputs } = fixtureWith(LAKE, { vpcId: undefined, glueDatabaseName: null });
        expect(contractProblems(LAKE, outputs, DATA_LAKE_OUTPUTS)).to.deep.equal([
            "stack acme/a01-data-lake/staging does not publish 'vpcId' (required by ml-platform for the VPC its compute, services and workspaces run in)",
            "stack acme/a01-data-lake/staging does not publish 'glueDatabaseName' (required by ml-platform for the Glue catalog database flows query)",
        ]);
    });

    it("reject outputs of the wrong shape", () => {
        const { outputs } = fixtureWith(LAKE, { privateSubnetIds: ["subnet-0a01aa0000000001"], vpcCidrBlock: "" });
        expect(contractProblems(LAKE, outputs, DATA_LAKE_OUTPUTS)).to.deep.equal([
            `stack ${LAKE} publishes 'vpcCidrBlock' as "", but ml-platform needs a non-empty string (for security group rules that admit traffic from inside the VPC)`,
            `stack ${LAKE} publishes 'privateSubnetIds' as ["subnet-0a01aa0000000001"], but ml-platform needs a list of at least two non-empty strings (for the private subnets compute and services are placed in)`,
        ]);
    });

    it("read a port given as a number or a digit string, and nothing else", () => {
        expect([8786, "8786", "87a6", 0, 70000, 87.5].map(toPort)).to.deep.equal([8786, 8786, undefined, undefined, undefined, undefined]);
    });
});

describe("readUpstream", () => {
    it("reads the A01 network and data lake outputs", async () => {
        const { value, error } = await readWith(stagingConfig({ "ml-platform:daskStack": undefined }), FIXTURES, async (u) => ({
            network: await resolve(u.network && { vpcId: u.network.vpcId, cidr: u.network.vpcCidrBlock, subnets: u.network.privateSubnetIds, zones: u.network.availabilityZones }),
            dataLake: await resolve(u.dataLake),
            dask: u.dask,
        }));
        const lake = FIXTURES[LAKE].outputs;
        expect(error).to.equal(undefined);
        expect(value?.network).to.deep.equal({ vpcId: lake.vpcId, cidr: lake.vpcCidrBlock, subnets: lake.privateSubnetIds, zones: lake.availabilityZones });
        expect(value?.dataLake).to.deep.equal({
            rawBucketName: lake.rawBucketName,
            rawBucketArn: lake.rawBucketArn,
            curatedBucketName: lake.curatedBucketName,
            curatedBucketArn: lake.curatedBucketArn,
            kmsKeyArn: lake.dataLakeKmsKeyArn,
            glueDatabaseName: lake.glueDatabaseName,
        });
        expect(value?.dask).to.equal(undefined);
    });

    it("fails with the stack and the missing output when A01 does not publish a required one", async () => {
        const { error } = await readWith(stagingConfig(), { ...FIXTURES, [LAKE]: fixtureWith(LAKE, { privateSubnetIds: undefined }) }, (u) => resolve(u.network?.vpcId));
        expect(error).to.equal(
            "stack acme/a01-data-lake/staging does not publish 'privateSubnetIds' (required by ml-platform for the private subnets compute and services are placed in)",
        );
    });

    it("reads the A02 scheduler address, port (as a number) and security group", async () => {
        const { value, error } = await readWith(stagingConfig(), { ...FIXTURES, [DASK]: fixtureWith(DASK, { schedulerPort: "8786" }) }, (u) => resolve(u.dask));
        expect(error).to.equal(undefined);
        expect(value).to.deep.equal({
            schedulerAddress: FIXTURES[DASK].outputs.schedulerAddress,
            schedulerPort: 8786,
            clusterSecurityGroupId: FIXTURES[DASK].outputs.clusterSecurityGroupId,
        });
    });

    it("fails with the stack and the missing output when A02 does not publish a required one", async () => {
        const { error } = await readWith(stagingConfig(), { ...FIXTURES, [DASK]: fixtureWith(DASK, { clusterSecurityGroupId: undefined }) }, (u) => resolve(u.dask?.schedulerAddress));
        expect(error).to.equal(
            "stack acme/a02-dask/staging does not publish 'clusterSecurityGroupId' (required by ml-platform for the ingress rule on the Dask cluster's security group)",
        );
    });

    it("reads nothing and references no stack when none is configured", async () => {
        const run = await record(() => {
            const u = readUpstream(stagingConfig({ "ml-platform:dataLakeStack": undefined, "ml-platform:daskStack": undefined }));
            return { network: u.network, dataLake: u.dataLake, dask: u.dask };
        });
        expect(run.outputs).to.deep.equal({ network: undefined, dataLake: undefined, dask: undefined });
        expect(run.stackReferencesRead).to.deep.equal([]);
    });
});

describe("the program's network", () => {
    it("joins the A01 VPC when a data lake stack is configured, and builds no network of its own", async () => {
        const plan = await planOf("staging");
        const lake = FIXTURES[LAKE].outputs;
        expect(plan.resources.filter((r) => NETWORK_TYPES.includes(r.type)).map((r) => r.name)).to.deep.equal([]);
        expect(plan.outputs).to.deep.include({ vpcId: lake.vpcId, privateSubnetIds: lake.privateSubnetIds });
        expect([...plan.stackReferences].sort()).to.deep.equal([LAKE, DASK]);
    });

    it("builds its own Network when standalone, and publishes its VPC and private subnets", async () => {
        const plan = await planOf("dev");
        const vpc = plan.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc");
        expect(vpc.map((r) => r.component)).to.deep.equal(["mlp-dev-network"]);
        expect(plan.stackReferences).to.deep.equal([]);
        const outputs = plan.outputs as { vpcId: string; privateSubnetIds: string[] };
        expect(outputs.vpcId).to.match(/^vpc-/);
        expect(outputs.privateSubnetIds).to.have.length(2);
    });

    it("stops the program with the clear error when the A01 stack lacks a required output", async () => {
        const files = loadStackFiles(ROOT, "staging");
        let message = "";
        try {
            await record(program, { stack: "staging", config: files.config, stackReferences: { ...FIXTURES, [LAKE]: fixtureWith(LAKE, { vpcId: undefined }) } });
        } catch (e) {
            message = (e as Error).message;
        }
        // Whichever resource first needs the VPC reports it; the message is the contract's either way.
        expect(message).to.contain("stack acme/a01-data-lake/staging does not publish 'vpcId' (required by ml-platform for the VPC its compute, services and workspaces run in)");
    });

    it("builds a NAT gateway per zone and protected flow logs for a standalone prod, which passes prod's policies", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-standalone-"));
        for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
        fs.cpSync(path.join(ROOT, "policies", "config"), path.join(dir, "policies", "config"), { recursive: true });
        const prodFile = path.join(dir, "Pulumi.prod.yaml");
        const lines = fs.readFileSync(prodFile, "utf8").split("\n").filter((l) => !/ml-platform:(dataLakeStack|daskStack|network)/.test(l));
        fs.writeFileSync(prodFile, [...lines, "  ml-platform:network:", "    availabilityZoneCount: 3", ""].join("\n"));

        const plan = await runPlan("prod", dir);
        const network = plan.resources.filter((r) => r.component === "mlp-prod-network");
        expect(network.filter((r) => r.type === "aws:ec2/natGateway:NatGateway")).to.have.length(3);
        expect(network.filter((r) => r.type === "aws:ec2/flowLog:FlowLog")).to.have.length(1);
        expect(network.filter((r) => r.protect).map((r) => r.type)).to.have.members(["aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup"]);
        expect(plan.stackReferences).to.deep.equal([]);
        expect(mandatoryViolations(plan).map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
    });

    it("holds one reference per stack even when both keys name the same stack", async () => {
        const merged = { outputs: { ...FIXTURES[LAKE].outputs, ...FIXTURES[DASK].outputs } };
        const run = await record(
            async () => {
                const u = readUpstream(stagingConfig({ "ml-platform:daskStack": LAKE }));
                return { vpcId: await resolve(u.network?.vpcId), port: await resolve(u.dask?.schedulerPort) };
            },
            { stack: "staging", stackReferences: { [LAKE]: merged } },
        );
        expect(run.stackReferencesRead).to.deep.equal([LAKE]);
        expect(run.outputs).to.deep.equal({ vpcId: FIXTURES[LAKE].outputs.vpcId, port: 8786 });
    });
});
