/**
 * The EC2 instance types the platform knows (policies/data/instance-types.json): one list that stack
 * config validation, the cost model and the instance-type policies all read, so a type is either
 * known everywhere (validated, priced, checked) or rejected everywhere.
 */
import catalogue from "../data/instance-types.json";

export interface InstanceTypeSpec {
    readonly vcpus: number;
    readonly memoryGiB: number;
    /** NVIDIA GPUs per instance; 0 for CPU types. */
    readonly gpus: number;
}

const TYPES: Readonly<Record<string, InstanceTypeSpec>> = catalogue.types;

/** Every known instance type, e.g. `m7i.xlarge`, `g5.2xlarge`. */
export const KNOWN_INSTANCE_TYPES: readonly string[] = Object.keys(TYPES);

/** GPU families and the GPU they carry, e.g. `g5` → `NVIDIA A10G`. */
export const GPU_FAMILIES: Readonly<Record<string, string>> = catalogue.gpuFamilies;

/** The spec of a known instance type, or undefined for anything else. */
export function instanceTypeSpec(instanceType: string): InstanceTypeSpec | undefined {
    return Object.prototype.hasOwnProperty.call(TYPES, instanceType) ? TYPES[instanceType] : undefined;
}

/** The family of `family.size`, e.g. `m7i` for `m7i.2xlarge`. */
export function instanceFamily(instanceType: string): string {
    return instanceType.split(".")[0];
}

export function isGpuInstanceType(instanceType: string): boolean {
    return (instanceTypeSpec(instanceType)?.gpus ?? 0) > 0;
}
