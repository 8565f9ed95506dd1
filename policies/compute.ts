/**
 * Compute: how much of it there may be, of which instance types, and how much runs on spot. The
 * resources read are AWS Batch compute environments, plain EC2 instances and EKS node groups.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { instanceFamily } from "./lib/instance-types";
import { UnknownInstanceTypeError } from "./cost/prices";
import {
    BATCH_COMPUTE_ENVIRONMENT,
    CAPACITY_OPTIMIZED_STRATEGIES,
    capacitiesOf,
    capacityOf,
    catalogueTypes,
    COMPUTE_TYPES,
    describeCompute,
    EC2_INSTANCE,
    instanceTypesInputOf,
    isGpuInstanceEntry,
    listedInstanceTypes,
    sumVcpus,
    type Capacity,
} from "./lib/compute";
import { validateTypes } from "./lib/resources";
import { policyConfig } from "./lib/schema";

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const listed = (cs: readonly Capacity[]) => cs.map((c) => `${c.what} (${c.maxVcpus})`).join(", ");
/** The compute a total leaves out because it is unknown during a preview, for messages. */
const notCounted = (unknown: readonly Pick<Capacity["resource"], "type" | "name">[]) =>
    unknown.length > 0 ? `; not counted, unknown during preview: ${unknown.map(describeCompute).join(", ")}` : "";

/** Reports compute whose vCPUs cannot be counted, so a total never silently leaves it out. */
function reportUncounted(resources: readonly PolicyResource[], report: (message: string, urn?: string) => void): ReturnType<typeof capacitiesOf> {
    const found = capacitiesOf(resources);
    for (const u of found.uncounted) report(`${u.reason} Its vCPUs cannot be counted; use a catalogued instance type.`, u.resource.urn);
    return found;
}

export const batchSpotComputeConfig = policyConfig({
    minSpotShare: {
        type: "number",
        default: 0.7,
        minimum: 0,
        maximum: 1,
        description: "Least share of the stack's total max vCPUs (Batch environments, EC2 instances, EKS node groups) that must be spot. 1 means every compute resource is spot (dev, staging).",
    },
});

export const batchSpotCompute: StackValidationPolicy = {
    name: "batch-spot-compute",
    description: "Checks whether compute runs on spot: every Batch environment, EC2 instance and EKS node group where minSpotShare is 1, else at least minSpotShare of the stack's max vCPUs.",
    configSchema: batchSpotComputeConfig.schema,
    validateStack: (args, reportViolation) => {
        const { minSpotShare } = batchSpotComputeConfig.read(args);
        const { capacities, unknown } = reportUncounted(args.resources, reportViolation);
        if (capacities.length === 0 && unknown.length === 0) args.notApplicable("the stack has no compute environments, instances or node groups");
        const onDemand = capacities.filter((c) => !c.spot);
        if (minSpotShare >= 1) {
            for (const c of onDemand) {
                reportViolation(`${c.what} runs on demand (${c.maxVcpus} max vCPUs); this environment runs all compute on spot (minSpotShare 1). ${capitalize(c.spotFix)}, or remove it.`, c.resource.urn);
            }
            return;
        }
        // The share depends on every environment: with one unknown in a preview it is decided at the update.
        if (unknown.length > 0) return;
        const total = sumVcpus(capacities);
        const spot = total - sumVcpus(onDemand);
        if (total === 0 || spot / total >= minSpotShare) return;
        const allowedOnDemand = Math.floor((spot * (1 - minSpotShare)) / minSpotShare);
        reportViolation(
            `Spot is ${pct(spot / total)} of the stack's ${total} max vCPUs (${spot} spot; on demand: ${listed(onDemand)}); at least ${pct(minSpotShare)} must be spot (minSpotShare ${minSpotShare}). ` +
                `Lower the on-demand max vCPUs to ${allowedOnDemand} in total, or add spot capacity.`,
        );
    },
};

export const spotDiversificationConfig = policyConfig({
    minInstanceTypes: {
        type: "integer",
        default: 3,
        minimum: 1,
        description: "Least number of instance types a spot environment or node group may launch (a bare Batch family counts as each of its sizes).",
    },
});

export const spotDiversification: ResourceValidationPolicy = {
    name: "spot-diversification",
    description: "Checks whether spot compute uses a capacity-optimized allocation strategy and enough instance types to ride out the loss of one spot pool.",
    configSchema: spotDiversificationConfig.schema,
    validateResource: validateTypes(COMPUTE_TYPES, (args, reportViolation) => {
        const { minInstanceTypes } = spotDiversificationConfig.read(args);
        let capacity: Capacity | undefined;
        try {
            capacity = capacityOf(args);
        } catch (e) {
            if (e instanceof UnknownInstanceTypeError) args.notApplicable(`${e.message} (allowed-instance-types reports it)`);
            throw e;
        }
        if (!capacity || !capacity.spot || capacity.fargate || capacity.resource.type === EC2_INSTANCE) return args.notApplicable("not a spot fleet of EC2 instances");
        if (capacity.resource.type === BATCH_COMPUTE_ENVIRONMENT && !CAPACITY_OPTIMIZED_STRATEGIES.includes(capacity.allocationStrategy ?? "BEST_FIT")) {
            reportViolation(
                `${capacity.what} allocates spot with ${capacity.allocationStrategy ?? "BEST_FIT (the default)"}, which can wait for capacity or land in shallow, often-interrupted pools. Set computeResources.allocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED.`,
            );
        }
        const types = new Set(capacity.instanceTypes.flatMap((e) => (catalogueTypes(e).length > 0 ? catalogueTypes(e) : [e])));
        if (types.size < minInstanceTypes) {
            reportViolation(
                `${capacity.what} may launch ${types.size} instance type(s) (${[...types].join(", ") || "none"}); spot capacity needs at least ${minInstanceTypes}. ` +
                    `Add similar types from other families or sizes to ${capacity.instanceTypesInput}.`,
            );
        }
    }),
};

export const allowedInstanceTypesConfig = policyConfig({
    allowedInstanceTypes: {
        type: "array",
        items: { type: "string" },
        default: ["m7i.*", "m7a.*", "m6i.*", "m6a.*", "c7i.*", "c7a.*", "c6i.*", "c6a.*", "r7i.*", "r7a.*", "r6i.*", "r6a.*", "g6.*", "g5.*", "g4dn.*"],
        description: "Instance types compute may launch, as patterns where * matches anything (m7i.*, g5.xlarge). A bare Batch family (m7i) is read as family.*.",
    },
});

/** `*` matches any run of characters; everything else is literal. */
function matches(pattern: string, value: string): boolean {
    const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return regex.test(value);
}

export const allowedInstanceTypes: ResourceValidationPolicy = {
    name: "allowed-instance-types",
    description: "Checks whether Batch environments, EC2 instances and EKS node groups launch only allowed instance types that the platform's catalogue and price table know.",
    configSchema: allowedInstanceTypesConfig.schema,
    validateResource: validateTypes(COMPUTE_TYPES, (args, reportViolation) => {
        const { allowedInstanceTypes: patterns } = allowedInstanceTypesConfig.read(args);
        const entries = listedInstanceTypes(args);
        const input = instanceTypesInputOf(args.type);
        const what = describeCompute(args);
        const unknown = entries.filter((e) => catalogueTypes(e).length === 0);
        const disallowed = entries.filter((e) => !patterns.some((p) => matches(p, e.includes(".") ? e : `${e}.*`)));
        if (unknown.length > 0) {
            reportViolation(
                `${what} names ${unknown.join(", ")}, not in the platform's instance catalogue and price table, so its cost cannot be estimated. ` +
                    `Use catalogued types in ${input}, or add the type to policies/data/instance-types.json and policies/cost/prices.json.`,
            );
        }
        const notAllowed = disallowed.filter((e) => !unknown.includes(e));
        if (notAllowed.length > 0) {
            reportViolation(`${what} may launch ${notAllowed.join(", ")}, not allowed here (allowed: ${patterns.join(", ")}). Remove them from ${input}, or widen allowedInstanceTypes.`);
        }
    }),
};

export const computeMaxVcpusConfig = policyConfig({
    maxVcpusPerEnvironment: { type: "integer", default: 256, minimum: 0, description: "Most max vCPUs one Batch environment, EC2 instance or EKS node group may have." },
    maxTotalVcpus: { type: "integer", default: 1024, minimum: 0, description: "Most max vCPUs of all compute in the stack together." },
});

export const computeMaxVcpus: StackValidationPolicy = {
    name: "compute-max-vcpus",
    description: "Checks whether each compute environment, and all of them together, stay within the environment's max vCPU limits.",
    configSchema: computeMaxVcpusConfig.schema,
    validateStack: (args, reportViolation) => {
        const { maxVcpusPerEnvironment, maxTotalVcpus } = computeMaxVcpusConfig.read(args);
        const { capacities, unknown } = reportUncounted(args.resources, reportViolation);
        for (const c of capacities.filter((x) => x.maxVcpus > maxVcpusPerEnvironment)) {
            reportViolation(`${c.what} can scale to ${c.maxVcpus} vCPUs; the limit per environment is ${maxVcpusPerEnvironment} (maxVcpusPerEnvironment). Lower its max vCPUs or split the work across queues.`, c.resource.urn);
        }
        const total = sumVcpus(capacities);
        // Compute unknown in a preview only adds vCPUs: a known total over the limit is over it anyway.
        if (total > maxTotalVcpus) {
            reportViolation(
                `The stack's compute can scale to ${unknown.length > 0 ? "at least " : ""}${total} vCPUs (${listed(capacities)}${notCounted(unknown)}); the limit is ${maxTotalVcpus} (maxTotalVcpus). Lower the max vCPUs of the largest environments.`,
            );
        }
    },
};

export const gpuLimitsConfig = policyConfig({
    allowedGpuFamilies: { type: "array", items: { type: "string" }, default: ["g6", "g5", "g4dn"], description: "GPU instance families compute may launch." },
    maxGpuVcpus: { type: "integer", default: 64, minimum: 0, description: "Most max vCPUs of all GPU compute in the stack together." },
});

export const gpuLimits: StackValidationPolicy = {
    name: "gpu-limits",
    description: "Checks whether GPU compute launches only allowed GPU families and stays within the stack's GPU vCPU limit.",
    configSchema: gpuLimitsConfig.schema,
    validateStack: (args, reportViolation) => {
        const { allowedGpuFamilies, maxGpuVcpus } = gpuLimitsConfig.read(args);
        const { capacities, unknown } = reportUncounted(args.resources, reportViolation);
        const gpu = capacities.filter((c) => c.instanceTypes.some(isGpuInstanceEntry));
        for (const c of gpu) {
            const families = [...new Set(c.instanceTypes.filter(isGpuInstanceEntry).map(instanceFamily))].filter((f) => !allowedGpuFamilies.includes(f));
            if (families.length > 0) {
                reportViolation(`${c.what} may launch GPU family ${families.join(", ")}, not allowed here (allowed: ${allowedGpuFamilies.join(", ")}). Remove those types from ${c.instanceTypesInput}.`, c.resource.urn);
            }
        }
        const total = sumVcpus(gpu);
        if (total > maxGpuVcpus) {
            reportViolation(
                `GPU compute can scale to ${unknown.length > 0 ? "at least " : ""}${total} vCPUs (${listed(gpu)}${notCounted(unknown)}); the limit is ${maxGpuVcpus} (maxGpuVcpus). Lower the GPU environments' max vCPUs.`,
            );
        }
    },
};

export const computePolicies = [batchSpotCompute, spotDiversification, allowedInstanceTypes, computeMaxVcpus, gpuLimits];
