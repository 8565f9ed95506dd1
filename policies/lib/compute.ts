/**
 * Compute capacity as the compute and cost policies see it: every AWS Batch compute environment,
 * plain EC2 instance and EKS managed node group, with its market (spot or on-demand), instance
 * types and maximum vCPUs.
 */
import { UnknownValueError, type PolicyResource } from "@pulumi/policy";
import { UnknownInstanceTypeError } from "../cost/prices";
import { GPU_FAMILIES, instanceFamily, instanceTypeSpec, KNOWN_INSTANCE_TYPES } from "./instance-types";

export const BATCH_COMPUTE_ENVIRONMENT = "aws:batch/computeEnvironment:ComputeEnvironment";
export const EC2_INSTANCE = "aws:ec2/instance:Instance";
export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const COMPUTE_TYPES = [BATCH_COMPUTE_ENVIRONMENT, EC2_INSTANCE, EKS_NODE_GROUP];

/** How messages name each kind of compute, and the input that lists its instance types. */
const KINDS: Record<string, { readonly noun: string; readonly typesInput: string }> = {
    [BATCH_COMPUTE_ENVIRONMENT]: { noun: "Batch compute environment", typesInput: "computeResources.instanceTypes" },
    [EC2_INSTANCE]: { noun: "EC2 instance", typesInput: "instanceType" },
    [EKS_NODE_GROUP]: { noun: "EKS node group", typesInput: "instanceTypes" },
};

/** "Batch compute environment 'x'" for compute, the type token otherwise. */
export function describeCompute(r: Pick<PolicyResource, "type" | "name">): string {
    return `${KINDS[r.type]?.noun ?? r.type} '${r.name}'`;
}

/** The input that lists a compute resource's instance types, for messages. */
export function instanceTypesInputOf(type: string): string {
    return KINDS[type]?.typesInput ?? "instanceTypes";
}

/** The instance types a compute resource lists, as written (Batch also takes bare families). */
export function listedInstanceTypes(r: Pick<PolicyResource, "type" | "props">): string[] {
    if (r.type === EC2_INSTANCE) return r.props.instanceType ? [String(r.props.instanceType)] : [];
    if (r.type === BATCH_COMPUTE_ENVIRONMENT) return (r.props.computeResources?.instanceTypes as string[] | undefined) ?? [];
    return (r.props.instanceTypes as string[] | undefined) ?? [];
}

/** The allocation strategies that steer spot requests to the pools least likely to be interrupted. */
export const CAPACITY_OPTIMIZED_STRATEGIES = ["SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"];

type Resource = Pick<PolicyResource, "urn" | "type" | "name" | "props">;

export interface Capacity {
    readonly resource: Resource;
    /** How messages name it: "Batch compute environment 'x'". */
    readonly what: string;
    readonly spot: boolean;
    readonly fargate: boolean;
    /** Instance types as written (Batch also takes bare families); empty for Fargate. */
    readonly instanceTypes: readonly string[];
    /** The input that lists them, for messages. */
    readonly instanceTypesInput: string;
    readonly allocationStrategy?: string;
    /** The most vCPUs it can run at once. */
    readonly maxVcpus: number;
    /** What to change to put it on spot. */
    readonly spotFix: string;
}

/** The instance types a `family.size` or bare-family entry stands for in the catalogue; [] when unknown. */
export function catalogueTypes(entry: string): string[] {
    if (entry.includes(".")) return instanceTypeSpec(entry) ? [entry] : [];
    return KNOWN_INSTANCE_TYPES.filter((t) => instanceFamily(t) === entry);
}

/** GPU families: the catalogue's, and AWS's g/p families for types outside it. */
export function isGpuInstanceEntry(entry: string): boolean {
    const family = instanceFamily(entry);
    return family in GPU_FAMILIES || /^(g|gr|p)\d/.test(family);
}

function vcpusOf(type: string, what: string): number {
    const spec = instanceTypeSpec(type);
    if (!spec) throw new UnknownInstanceTypeError(type, what);
    return spec.vcpus;
}

/** A compute resource's capacity; undefined for other types. Throws naming an unknown type it must count. */
export function capacityOf(r: Resource): Capacity | undefined {
    const p = r.props;
    const what = describeCompute(r);
    const instanceTypes = listedInstanceTypes(r);
    const common = { resource: r, what, instanceTypes, instanceTypesInput: instanceTypesInputOf(r.type) };
    if (r.type === BATCH_COMPUTE_ENVIRONMENT) {
        if (p.type === "UNMANAGED" || !p.computeResources) return undefined;
        const cr = p.computeResources as Record<string, any>;
        const fargate = cr.type === "FARGATE" || cr.type === "FARGATE_SPOT";
        return {
            ...common,
            spot: cr.type === "SPOT" || cr.type === "FARGATE_SPOT",
            fargate,
            allocationStrategy: cr.allocationStrategy,
            maxVcpus: Number(cr.maxVcpus ?? 0),
            spotFix: `set computeResources.type to ${fargate ? "FARGATE_SPOT" : "SPOT"} (allocationStrategy SPOT_PRICE_CAPACITY_OPTIMIZED)`,
        };
    }
    if (r.type === EC2_INSTANCE) {
        return {
            ...common,
            spot: p.instanceMarketOptions?.marketType === "spot",
            fargate: false,
            maxVcpus: instanceTypes.length > 0 ? vcpusOf(instanceTypes[0], what) : 0,
            spotFix: 'set instanceMarketOptions.marketType to "spot"',
        };
    }
    if (r.type === EKS_NODE_GROUP) {
        const largest = Math.max(0, ...instanceTypes.map((t) => vcpusOf(t, what)));
        return {
            ...common,
            spot: p.capacityType === "SPOT",
            fargate: false,
            maxVcpus: Number(p.scalingConfig?.maxSize ?? 0) * largest,
            spotFix: 'set capacityType to "SPOT"',
        };
    }
    return undefined;
}

export interface Capacities {
    readonly capacities: Capacity[];
    /** Resources whose vCPUs cannot be counted, with why. */
    readonly uncounted: { readonly resource: Resource; readonly reason: string }[];
    /** Compute whose capacity is unknown during a preview (its settings come from other resources); counted at the update. */
    readonly unknown: Resource[];
}

/**
 * Every compute resource's capacity; resources with unknown instance types are set aside with the
 * reason, and those whose settings are unknown in a preview are set aside on their own, so one
 * resource does not stop a stack policy from judging the others.
 */
export function capacitiesOf(resources: readonly Resource[]): Capacities {
    const capacities: Capacity[] = [];
    const uncounted: Capacities["uncounted"] = [];
    const unknown: Resource[] = [];
    for (const r of resources) {
        try {
            const c = capacityOf(r);
            if (c) capacities.push(c);
        } catch (e) {
            if (e instanceof UnknownValueError) unknown.push(r);
            else if (e instanceof UnknownInstanceTypeError) uncounted.push({ resource: r, reason: e.message });
            else throw e;
        }
    }
    return { capacities, uncounted, unknown };
}

export const sumVcpus = (cs: readonly Capacity[]) => cs.reduce((s, c) => s + c.maxVcpus, 0);
