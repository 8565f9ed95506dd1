/**
 * `ml-platform:compute`: the AWS Batch compute pool. Instance types must be in the platform's
 * catalogue (policies/data/instance-types.json) and priced for the stack's region, so that the cost
 * model and the policies can reason about every one; each environment scales from `minVcpus` (0:
 * nothing runs when idle) to `maxVcpus`.
 */
import { pricedInstanceTypes } from "../../policies/cost/prices";
import { GPU_FAMILIES, instanceFamily, instanceTypeSpec, KNOWN_INSTANCE_TYPES } from "../../policies/lib/instance-types";
import type { BaseConfig } from "./base";
import type { ConfigNode, ConfigReader } from "./reader";

export interface ComputeEnvironmentConfig {
    /** EC2 instance types Batch may launch. */
    readonly instanceTypes: readonly string[];
    /** vCPUs kept running when idle. */
    readonly minVcpus: number;
    /** vCPUs the environment may scale out to. */
    readonly maxVcpus: number;
}

export interface OnDemandComputeConfig extends ComputeEnvironmentConfig {
    /** An on-demand CPU environment and its `cpu-ondemand` queue exist. */
    readonly enabled: boolean;
    /** The `cpu` queue falls back to on-demand when spot capacity is short. */
    readonly fallback: boolean;
}

export interface GpuComputeConfig extends ComputeEnvironmentConfig {
    /** An on-demand GPU environment backs the spot one in the `gpu` queue. */
    readonly allowOnDemand: boolean;
    /** Max vCPUs of that on-demand GPU environment (0 when not allowed). */
    readonly onDemandMaxVcpus: number;
}

export interface ComputeConfig {
    /** CPU spot environment behind the `cpu` queue. */
    readonly spot: ComputeEnvironmentConfig;
    /** On-demand CPU environment; with `enabled: false` none exists. */
    readonly onDemand: OnDemandComputeConfig;
    /** GPU environment (spot), optionally backed by on-demand GPU. */
    readonly gpu: GpuComputeConfig;
    /** Root volume size of every Batch instance, GiB. */
    readonly rootVolumeSizeGiB: number;
}

const KEYS = ["spot", "onDemand", "gpu", "rootVolumeSizeGiB"];
const ENVIRONMENT_KEYS = ["instanceTypes", "minVcpus", "maxVcpus"];
/** A Batch environment's vCPU bound; far above any one platform's quota, it only catches typos. */
const MAX_VCPUS = 10000;

const CPU_FAMILIES = [...new Set(KNOWN_INSTANCE_TYPES.filter((t) => !(instanceFamily(t) in GPU_FAMILIES)).map(instanceFamily))];

/** The types config may name: catalogued and priced in the region. */
function allowedInstanceTypes(region: string): ReadonlySet<string> {
    try {
        return new Set(pricedInstanceTypes(region));
    } catch {
        // A region without prices is the cost model's error, reported there with the region named.
        return new Set(KNOWN_INSTANCE_TYPES);
    }
}

export function parseCompute(reader: ConfigReader, base: Pick<BaseConfig, "region">): ComputeConfig {
    const node = reader.key("ml-platform:compute").object(KEYS, true);
    const allowed = allowedInstanceTypes(base.region);

    const spot = readEnvironment(node.get("spot").object(ENVIRONMENT_KEYS, true), "cpu", allowed);

    const onDemandNode = node.get("onDemand").object(["enabled", "fallback", ...ENVIRONMENT_KEYS]);
    const enabled = onDemandNode.get("enabled").bool({ default: false });
    if (!enabled) rejectPresent(onDemandNode, ["fallback", ...ENVIRONMENT_KEYS], "onDemand.enabled is false");
    const onDemand: OnDemandComputeConfig = enabled
        ? { enabled, fallback: onDemandNode.get("fallback").bool({ default: true }), ...readEnvironment(onDemandNode, "cpu", allowed, spot.instanceTypes) }
        : { enabled, fallback: false, instanceTypes: [], minVcpus: 0, maxVcpus: 0 };

    const gpuNode = node.get("gpu").object(["allowOnDemand", "onDemandMaxVcpus", ...ENVIRONMENT_KEYS], true);
    const gpuEnvironment = readEnvironment(gpuNode, "gpu", allowed);
    const allowOnDemand = gpuNode.get("allowOnDemand").bool({ default: false });
    const onDemandMaxNode = gpuNode.get("onDemandMaxVcpus");
    let onDemandMaxVcpus = 0;
    if (allowOnDemand) {
        onDemandMaxVcpus = onDemandMaxNode.int({ min: 1, max: MAX_VCPUS });
        if (readAsGiven(onDemandMaxNode, onDemandMaxVcpus)) checkFitsAnInstance(onDemandMaxNode, onDemandMaxVcpus, gpuEnvironment.instanceTypes);
    } else {
        rejectPresent(gpuNode, ["onDemandMaxVcpus"], "gpu.allowOnDemand is false");
    }

    return {
        spot,
        onDemand,
        gpu: { ...gpuEnvironment, allowOnDemand, onDemandMaxVcpus },
        // The ECS-optimized AL2023 AMIs' snapshots are 30 GiB; the root volume cannot be smaller.
        rootVolumeSizeGiB: node.get("rootVolumeSizeGiB").int({ default: 100, min: 30, max: 16384 }),
    };
}

function readEnvironment(node: ConfigNode, kind: "cpu" | "gpu", allowed: ReadonlySet<string>, defaultTypes?: readonly string[]): ComputeEnvironmentConfig {
    const instanceTypes = readInstanceTypes(node.get("instanceTypes"), kind, allowed, defaultTypes);
    const minVcpus = node.get("minVcpus").int({ default: 0, min: 0, max: MAX_VCPUS });
    const maxNode = node.get("maxVcpus");
    const maxVcpus = maxNode.int({ min: 1, max: MAX_VCPUS });
    if (readAsGiven(maxNode, maxVcpus)) {
        if (maxVcpus < minVcpus) maxNode.fail(`a whole number >= minVcpus (${minVcpus})`);
        else checkFitsAnInstance(maxNode, maxVcpus, instanceTypes);
    }
    return { instanceTypes, minVcpus, maxVcpus };
}

function readInstanceTypes(node: ConfigNode, kind: "cpu" | "gpu", allowed: ReadonlySet<string>, defaultTypes?: readonly string[]): string[] {
    const expected =
        kind === "gpu"
            ? `a priced GPU instance type of the platform's catalogue, such as g5.xlarge (families ${Object.keys(GPU_FAMILIES).join(", ")})`
            : `a priced CPU instance type of the platform's catalogue, such as m7i.xlarge (families ${CPU_FAMILIES.join(", ")}; sizes large to 16xlarge)`;
    const types: string[] = [];
    for (const item of node.list({ minItems: 1, default: defaultTypes })) {
        const type = typeof item.value === "string" ? item.value : undefined;
        const spec = type === undefined || !allowed.has(type) ? undefined : instanceTypeSpec(type);
        if (type === undefined || spec === undefined || (spec.gpus > 0) !== (kind === "gpu")) {
            item.fail(expected);
            continue;
        }
        if (types.includes(type)) item.fail("an instance type not already listed");
        else types.push(type);
    }
    return types;
}

/** Whether a number came from the node itself; a missing or rejected value is reported once, not checked further. */
function readAsGiven(node: ConfigNode, value: number): boolean {
    return node.present && Number(node.value) === value;
}

/** Batch cannot launch an instance with more vCPUs than the environment's maximum. */
function checkFitsAnInstance(node: ConfigNode, maxVcpus: number, instanceTypes: readonly string[]): void {
    const smallest = Math.min(...instanceTypes.map((t) => instanceTypeSpec(t)!.vcpus));
    if (Number.isFinite(smallest) && maxVcpus < smallest) node.fail(`a whole number >= ${smallest}, the vCPUs of the smallest listed instance type`);
}

/** Keys that would be silently ignored are errors. */
function rejectPresent(node: ConfigNode, keys: readonly string[], because: string): void {
    for (const key of keys) {
        const child = node.get(key);
        if (child.present) child.fail(`absent while ${because}`);
    }
}
