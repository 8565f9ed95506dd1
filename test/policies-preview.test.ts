/**
 * Policies in a preview, where inputs built from resources not yet created are unknown: the engine's
 * props throw on reading one, and a policy that lets the error escape is skipped (an advisory "can't
 * run during preview"), for one resource or, for a stack policy, for the whole stack.
 */
import { unknownCheckingProxy, type StackValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import { batchSpotCompute, computeMaxVcpus } from "../policies/compute";
import { monthlyCostLimit } from "../policies/cost-limits";
import { estimateStackCost, type CostedResource } from "../policies/cost";
import { isSet, knownProps } from "../policies/lib/resources";
import { rdsEncrypted } from "../policies/security";
import { dynamodbEncryptedPitr, logGroupRetention, secretsManagerKms, snsTopicEncrypted } from "../policies/security/data";
import { s3TlsOnly } from "../policies/storage";
import { requiredTags } from "../policies/tagging";
import type { RecordedResource } from "../tools/mocks/runtime";
import { evaluatePolicies } from "../tools/policy/evaluate";
import { evaluate, fakeResource, messagesOf, providerResource } from "./helpers/policies";
import { planOf, STACKS } from "./helpers/stacks";

/** How the engine hands a policy a value that is unknown during a preview. */
const UNKNOWN = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

/** The resource as a preview shows it: the named inputs unknown, props behind the engine's proxy. */
function inPreview(r: RecordedResource, unknownInputs: Record<string, unknown>): RecordedResource {
    return { ...r, inputs: unknownCheckingProxy({ ...r.inputs, ...unknownInputs }) };
}

const CE = "aws:batch/computeEnvironment:ComputeEnvironment";
function computeEnvironment(name: string, type: "SPOT" | "EC2", maxVcpus: number): RecordedResource {
    return fakeResource(CE, name, {
        type: "MANAGED",
        computeResources: { type, allocationStrategy: type === "SPOT" ? "SPOT_PRICE_CAPACITY_OPTIMIZED" : "BEST_FIT_PROGRESSIVE", instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge"], minVcpus: 0, maxVcpus },
    });
}

describe("policies in a preview", () => {
    describe("lib/resources", () => {
        it("knownProps copies every known value and names the unknown ones it leaves out", () => {
            const props = unknownCheckingProxy({ name: "ce", computeResources: { maxVcpus: 64, subnets: ["subnet-a", UNKNOWN], instanceRole: UNKNOWN }, tags: { Team: "ml" }, policy: UNKNOWN });
            const unknown: string[] = [];
            expect(knownProps(props, unknown)).to.deep.equal({ name: "ce", computeResources: { maxVcpus: 64, subnets: ["subnet-a"] }, tags: { Team: "ml" } });
            expect(unknown).to.deep.equal(["computeResources.subnets[1]", "computeResources.instanceRole", "policy"]);
            expect(() => ({ ...props })).to.throw(/can't be known during preview/);
        });

        it("isSet counts a set-but-unknown value as set, and an absent or empty one as not", () => {
            const props = unknownCheckingProxy({ kmsKeyId: UNKNOWN, empty: "", none: null });
            expect([isSet(props, "kmsKeyId"), isSet(props, "empty"), isSet(props, "none"), isSet(props, "absent")]).to.deep.equal([true, false, false, false]);
        });
    });

    describe("the evaluator's first preview", () => {
        const probe = (seen: Record<string, unknown>): StackValidationPolicy => ({
            name: "probe",
            description: "Checks whether nothing.",
            validateStack: (args) => {
                for (const r of args.resources) seen[r.name] = r.props.value;
            },
        });

        it("marks inputs built from a created resource unknown, and keeps literals and stack reference values", async () => {
            const role = fakeResource("aws:iam/role:Role", "role", { name: "r" });
            const fromRole = fakeResource("aws:iam/rolePolicy:RolePolicy", "policy", { role: "r", value: "x" }, { propertyDependencies: { role: [role.urn], value: [role.urn] } });
            const fromReference = fakeResource("aws:ssm/parameter:Parameter", "param", { value: "vpc-1" }, { propertyDependencies: { value: ["urn:pulumi:dev::ml-platform::pulumi:pulumi:StackReference::a01"] } });
            const literal = fakeResource("aws:ssm/parameter:Parameter", "literal", { value: "v" }, { propertyDependencies: { value: [] } });
            const seen: Record<string, unknown> = {};
            const result = await evaluatePolicies([probe(seen)], [providerResource(), role, fromRole, fromReference, literal], {}, "mandatory", { firstPreview: true });
            expect(result.skippedInPreview).to.deep.equal([{ policy: "probe", level: "mandatory", urn: undefined, reason: "string value at .value can't be known during preview" }]);
            expect(result.violations).to.deep.equal([
                { policy: "probe", level: "advisory", urn: undefined, message: "can't run policy 'probe' during preview: string value at .value can't be known during preview", description: "Checks whether nothing." },
            ]);

            const known: Record<string, unknown> = {};
            await evaluatePolicies([probe(known)], [role, fromReference, literal], {}, "mandatory", { firstPreview: true });
            expect(known).to.deep.equal({ role: undefined, param: "vpc-1", literal: "v" });
        });

        it("leaves every input known without the option", async () => {
            const role = fakeResource("aws:iam/role:Role", "role", { name: "r" });
            const fromRole = fakeResource("aws:ssm/parameter:Parameter", "param", { value: "x" }, { propertyDependencies: { value: [role.urn] } });
            const seen: Record<string, unknown> = {};
            const result = await evaluatePolicies([probe(seen)], [role, fromRole], {}, "mandatory");
            expect([result.skippedInPreview, seen.param]).to.deep.equal([[], "x"]);
        });
    });

    describe("stack policies skip only the resource they cannot judge", () => {
        it("s3-tls-only: a bucket whose policy is unknown is skipped, another bucket without one is still reported", async () => {
            const bucket = (name: string) => fakeResource("aws:s3/bucketV2:BucketV2", name, { bucket: `${name}-1234` });
            const pending = bucket("pending");
            const open = bucket("open");
            const policy = inPreview(fakeResource("aws:s3/bucketPolicy:BucketPolicy", "pending-policy", { bucket: "pending-1234" }, { propertyDependencies: { bucket: [pending.urn] } }), { policy: UNKNOWN });
            const result = await evaluate([s3TlsOnly], [providerResource(), pending, open, policy]);
            expect(result.skippedInPreview).to.deep.equal([]);
            expect(result.violations.map((v) => v.urn)).to.deep.equal([open.urn]);
        });

        it("monthly-cost-limit: prices what is known and names what is unknown during preview instead of being skipped", async () => {
            const pending = inPreview(computeEnvironment("pending", "SPOT", 64), { computeResources: UNKNOWN });
            const known = computeEnvironment("known", "EC2", 16);
            const config = { "monthly-cost-limit": { maxMonthlyCost: 100, maxIdleMonthlyCost: 1000 } };
            const result = await evaluate([monthlyCostLimit], [providerResource(), pending, known], config);
            expect(result.skippedInPreview).to.deep.equal([]);
            const [message] = messagesOf(result, "monthly-cost-limit");
            expect(message).to.match(/Estimated cost at full scale is \$[\d,.]+ a month, over maxMonthlyCost \$100\.00 \(largest: aws:batch\/computeEnvironment:ComputeEnvironment 'known'/);
            expect(message).to.include(`Not priced, unknown during preview, so the cost is at least this: ${CE} 'pending' (computeResources).`);
            const roomy = await evaluate([monthlyCostLimit], [providerResource(), pending, known], { "monthly-cost-limit": { maxMonthlyCost: 100_000 } });
            expect([roomy.violations, roomy.skippedInPreview]).to.deep.equal([[], []]);
        });

        it("batch-spot-compute: an on-demand environment is reported beside one still unknown; the share waits for the update", async () => {
            const pending = inPreview(computeEnvironment("pending", "SPOT", 64), { computeResources: UNKNOWN });
            const onDemand = computeEnvironment("on-demand", "EC2", 16);
            const all = await evaluate([batchSpotCompute], [providerResource(), pending, onDemand], { "batch-spot-compute": { minSpotShare: 1 } });
            expect(all.skippedInPreview).to.deep.equal([]);
            expect(all.violations.map((v) => v.urn)).to.deep.equal([onDemand.urn]);
            const share = await evaluate([batchSpotCompute], [providerResource(), pending, onDemand], { "batch-spot-compute": { minSpotShare: 0.7 } });
            expect([share.violations, share.skippedInPreview, share.notApplicable]).to.deep.equal([[], [], []]);
        });

        it("compute-max-vcpus: a known total over the limit is over it whatever the unknown environments add", async () => {
            const pending = inPreview(computeEnvironment("pending", "SPOT", 64), { computeResources: UNKNOWN });
            const result = await evaluate([computeMaxVcpus], [providerResource(), pending, computeEnvironment("big", "SPOT", 200)], { "compute-max-vcpus": { maxTotalVcpus: 128 } });
            expect(messagesOf(result, "compute-max-vcpus")).to.deep.equal([
                `The stack's compute can scale to at least 200 vCPUs (Batch compute environment 'big' (200); not counted, unknown during preview: Batch compute environment 'pending'); the limit is 128 (maxTotalVcpus). Lower the max vCPUs of the largest environments.`,
            ]);
        });
    });

    describe("resource policies count a set-but-unknown key as set", () => {
        const cases: [string, Parameters<typeof evaluate>[0][number], RecordedResource, Record<string, unknown>][] = [
            ["log-group-retention", logGroupRetention, fakeResource("aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: 30 }), { kmsKeyId: UNKNOWN }],
            ["sns-topic-encrypted", snsTopicEncrypted, fakeResource("aws:sns/topic:Topic", "topic", {}), { kmsMasterKeyId: UNKNOWN }],
            ["secrets-manager-kms", secretsManagerKms, fakeResource("aws:secretsmanager/secret:Secret", "secret", {}), { kmsKeyId: UNKNOWN }],
            ["rds-encrypted", rdsEncrypted, fakeResource("aws:rds/cluster:Cluster", "db", { storageEncrypted: true }), { kmsKeyId: UNKNOWN }],
        ];
        const configs: Record<string, Record<string, unknown>> = { "log-group-retention": { requireKms: true }, "rds-encrypted": { requireCustomerManagedKey: true } };
        for (const [name, policy, resource, unknownKey] of cases) {
            it(`${name}: compliant with the key unknown, noncompliant without it`, async () => {
                const config = configs[name] ? { [name]: configs[name] } : {};
                const pending = await evaluate([policy], [providerResource(), inPreview(resource, unknownKey)], config);
                expect([pending.violations, pending.skippedInPreview]).to.deep.equal([[], []]);
                const without = await evaluate([policy], [providerResource(), inPreview(resource, {})], config);
                expect(messagesOf(without, name)).to.have.length(1);
            });
        }

        it("dynamodb-encrypted-pitr: point-in-time recovery is judged while the encryption settings are unknown", async () => {
            const table = fakeResource("aws:dynamodb/table:Table", "table", { pointInTimeRecovery: { enabled: false } });
            const result = await evaluate([dynamodbEncryptedPitr], [providerResource(), inPreview(table, { serverSideEncryption: UNKNOWN })]);
            expect(messagesOf(result, "dynamodb-encrypted-pitr")).to.deep.equal([
                "DynamoDB table 'table' cannot be restored to a point in time. Set pointInTimeRecovery: { enabled: true } on it.",
                "can't run policy 'dynamodb-encrypted-pitr' during preview: string value at .serverSideEncryption can't be known during preview",
            ]);
        });

        it("required-tags: a tag whose value is unknown is set", async () => {
            const bucket = fakeResource("aws:s3/bucketV2:BucketV2", "b", { tags: { Owner: "ml" } });
            const pending = await evaluate([requiredTags], [providerResource({ Project: "p", Environment: "dev", CostCenter: "c", ManagedBy: "pulumi" }), inPreview(bucket, { tags: { Owner: UNKNOWN } })]);
            expect([pending.violations, pending.skippedInPreview]).to.deep.equal([[], []]);
        });
    });

    describe("the cost model", () => {
        const ce = (unknownInputs: string[], props: Record<string, any>): CostedResource => ({ urn: `urn:${CE}::ce`, type: CE, name: "ce", props, unknownInputs });
        const spot = { type: "MANAGED", computeResources: { type: "SPOT", instanceTypes: ["m7i.xlarge"], minVcpus: 0, maxVcpus: 64 } };

        it("lists a resource whose estimate needs an unknown input at $0, naming the input", () => {
            const estimate = estimateStackCost([ce(["computeResources.instanceTypes"], { type: "MANAGED", computeResources: { type: "SPOT", minVcpus: 0, maxVcpus: 64 } })], "us-east-1");
            expect(estimate.items).to.deep.equal([
                { urn: `urn:${CE}::ce`, type: CE, name: "ce", monthlyIdle: 0, monthlyMax: 0, basis: "not priced: computeResources.instanceTypes is unknown during preview", unknownInput: "computeResources.instanceTypes" },
            ]);
        });

        it("prices a resource whose unknown inputs it does not need exactly as a known one", () => {
            const withUnknownSubnets = { ...spot, computeResources: { ...spot.computeResources, subnets: ["subnet-a"] } };
            const pending = estimateStackCost([ce(["computeResources.subnets[1]", "computeResources.instanceRole"], withUnknownSubnets)], "us-east-1").items[0];
            const known = estimateStackCost([ce([], spot)], "us-east-1").items[0];
            expect(pending).to.deep.equal(known);
            expect(pending.monthlyMax).to.be.greaterThan(0);
        });

        it("does not count a list with an unknown item", () => {
            const endpoint: CostedResource = { urn: "urn:e", type: "aws:ec2/vpcEndpoint:VpcEndpoint", name: "e", props: { vpcEndpointType: "Interface", subnetIds: ["subnet-a"] }, unknownInputs: ["subnetIds[1]"] };
            expect(estimateStackCost([endpoint], "us-east-1").items[0].unknownInput).to.equal("subnetIds[1]");
        });
    });
});

/** The inputs each resource policy judges: in a first preview they are unknown when built from other resources, and only then may it skip a resource. */
const JUDGED_INPUTS: Record<string, string[]> = {
    // Policy documents and container definitions are JSON rendered from ARNs, host names and ids.
    "iam-no-wildcard-admin": [".policy"],
    "iam-no-passrole-wildcard": [".policy"],
    "ecs-no-plaintext-secrets": [".containerDefinitions"],
    "ssm-parameter-secure": [".value"],
    // These objects hold both settings the policy reads and ids of other resources; the simulation
    // takes the whole object as unknown, where a real preview knows the literal settings.
    "ecs-no-public-ip": [".networkConfiguration"],
    "dynamodb-encrypted-pitr": [".serverSideEncryption"],
    "spot-diversification": [".computeResources"],
    "allowed-instance-types": [".computeResources"],
};

describe("the real stacks in a first preview", () => {
    for (const stack of STACKS) {
        it(`${stack}: no mandatory stack policy is skipped, and resource policies skip only resources whose judged input is unknown`, async () => {
            const plan = await planOf(stack);
            const mandatory = plan.skippedInFirstPreview.filter((s) => s.level === "mandatory");
            expect(mandatory.filter((s) => s.urn === undefined), "stack policies skipped for the whole stack").to.deep.equal([]);
            for (const s of mandatory) {
                const input = /value at (\S+) can't be known/.exec(s.reason)?.[1];
                expect(JUDGED_INPUTS[s.policy] ?? [], `${s.policy} on ${s.urn}: ${s.reason}`).to.include(input);
            }
            expect(plan.blindSpots.find((n) => n.startsWith("In a first `pulumi preview`"))).to.include("iam-no-wildcard-admin [mandatory]");
        });
    }
});
