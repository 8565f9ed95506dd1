/**
 * Which Batch compute environments and job queues a pool has, as plain data: the class turns these
 * plans into resources, and tests and reviewers can read the shape without a Pulumi run.
 */

/** One compute environment's size and instance types. */
export interface EnvironmentSettings {
    /** EC2 instance types Batch may launch, e.g. `m7i.xlarge`. */
    readonly instanceTypes: readonly string[];
    /** vCPUs kept running while the queue is empty. @default 0 */
    readonly minVcpus?: number;
    /** vCPUs the environment may scale out to. */
    readonly maxVcpus: number;
}

/** The on-demand CPU environment, its own `cpu-ondemand` queue and, optionally, the `cpu` fallback. */
export interface OnDemandSettings extends EnvironmentSettings {
    /** Also place `cpu` queue jobs here when spot capacity is short. @default true */
    readonly fallback?: boolean;
}

/** The GPU environment (spot) and, optionally, an on-demand GPU fallback. */
export interface GpuSettings extends EnvironmentSettings {
    /** Max vCPUs of an on-demand GPU environment behind spot in the `gpu` queue; none when absent or 0. @default none */
    readonly onDemandMaxVcpus?: number;
}

export type EnvironmentRole = "cpu-spot" | "cpu-ondemand" | "gpu-spot" | "gpu-ondemand";
export type QueueRole = "cpu" | "cpu-ondemand" | "gpu";

/** ECS-optimized Amazon Linux 2023 AMIs; the NVIDIA variant carries the GPU driver and container toolkit. */
export const CPU_IMAGE_TYPE = "ECS_AL2023";
export const GPU_IMAGE_TYPE = "ECS_AL2023_NVIDIA";

export interface EnvironmentPlan {
    readonly role: EnvironmentRole;
    /** Batch `computeResources.type`: SPOT or EC2 (on-demand). */
    readonly type: "SPOT" | "EC2";
    readonly allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED" | "BEST_FIT_PROGRESSIVE";
    readonly instanceTypes: readonly string[];
    readonly minVcpus: number;
    readonly maxVcpus: number;
    readonly imageType: string;
}

export interface QueuePlan {
    readonly role: QueueRole;
    /** Higher runs first where queues share an environment. */
    readonly priority: number;
    /** Environments in the order Batch tries them. */
    readonly environments: readonly EnvironmentRole[];
}

function spot(role: EnvironmentRole, s: EnvironmentSettings, imageType: string): EnvironmentPlan {
    // Price-capacity-optimized picks the deepest spot pools among the cheapest, so interruptions are
    // rare and no Spot Fleet role is needed (only BEST_FIT spot environments take one).
    return { role, type: "SPOT", allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED", instanceTypes: s.instanceTypes, minVcpus: s.minVcpus ?? 0, maxVcpus: s.maxVcpus, imageType };
}

function onDemand(role: EnvironmentRole, s: EnvironmentSettings, imageType: string): EnvironmentPlan {
    // Progressive best fit may pick a larger type when the best one is short, instead of waiting.
    return { role, type: "EC2", allocationStrategy: "BEST_FIT_PROGRESSIVE", instanceTypes: s.instanceTypes, minVcpus: s.minVcpus ?? 0, maxVcpus: s.maxVcpus, imageType };
}

/** The pool's compute environments: CPU spot and GPU spot always, on-demand ones where allowed. */
export function environmentPlans(args: { spot: EnvironmentSettings; onDemand?: OnDemandSettings; gpu: GpuSettings }): EnvironmentPlan[] {
    const plans = [spot("cpu-spot", args.spot, CPU_IMAGE_TYPE)];
    if (args.onDemand) plans.push(onDemand("cpu-ondemand", args.onDemand, CPU_IMAGE_TYPE));
    plans.push(spot("gpu-spot", args.gpu, GPU_IMAGE_TYPE));
    if (args.gpu.onDemandMaxVcpus) {
        plans.push(onDemand("gpu-ondemand", { instanceTypes: args.gpu.instanceTypes, maxVcpus: args.gpu.onDemandMaxVcpus }, GPU_IMAGE_TYPE));
    }
    return plans;
}

/**
 * The job queues Metaflow's `@batch(queue=...)` names: `cpu` (spot, then on-demand when it is a
 * fallback), `cpu-ondemand` (only with an on-demand environment) and `gpu` (spot, then on-demand GPU).
 */
export function queuePlans(environments: readonly EnvironmentPlan[], onDemandFallback: boolean): QueuePlan[] {
    const has = (role: EnvironmentRole) => environments.some((e) => e.role === role);
    const queues: QueuePlan[] = [{ role: "cpu", priority: 10, environments: ["cpu-spot", ...(has("cpu-ondemand") && onDemandFallback ? (["cpu-ondemand"] as const) : [])] }];
    // Jobs that asked for on-demand outrank fallback work from the `cpu` queue on the shared environment.
    if (has("cpu-ondemand")) queues.push({ role: "cpu-ondemand", priority: 20, environments: ["cpu-ondemand"] });
    queues.push({ role: "gpu", priority: 10, environments: ["gpu-spot", ...(has("gpu-ondemand") ? (["gpu-ondemand"] as const) : [])] });
    return queues;
}

/** What is wrong with a pool's settings, as messages; empty when it can be built. */
export function settingsProblems(plans: readonly EnvironmentPlan[]): string[] {
    const problems: string[] = [];
    for (const p of plans) {
        if (p.instanceTypes.length === 0) problems.push(`${p.role}: instanceTypes is empty`);
        if (!Number.isInteger(p.minVcpus) || p.minVcpus < 0) problems.push(`${p.role}: minVcpus must be a whole number >= 0 (got ${p.minVcpus})`);
        if (!Number.isInteger(p.maxVcpus) || p.maxVcpus < 1 || p.maxVcpus < p.minVcpus) {
            problems.push(`${p.role}: maxVcpus must be a whole number >= 1 and >= minVcpus ${p.minVcpus} (got ${p.maxVcpus})`);
        }
    }
    return problems;
}
