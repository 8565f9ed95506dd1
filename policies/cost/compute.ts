/**
 * Compute: AWS Batch compute environments, EC2 instances, EKS, and ECS services on Fargate.
 *
 * Batch rule: an environment costs its vCPUs times a per-vCPU-hour rate, at `minVcpus` when idle and
 * at `maxVcpus` at most. The rate is the highest $/vCPU-hour among the instance types it may launch
 * (after the family's spot discount, capped by `bidPercentage`, for SPOT environments), so the
 * maximum is an upper bound whichever types Batch picks. Fargate environments take the Fargate
 * vCPU-hour plus `fargateGbPerVcpu` GB-hours per vCPU.
 *
 * Root volumes: each instance carries the EBS volumes of the environment's launch template (found
 * through the `computeResources` dependency, or by template name). Batch may fill its vCPUs with the
 * smallest listed type, so at most ceil(vCPUs / that type's vCPUs) instances run: their volumes are
 * added at `maxVcpus` (and at `minVcpus` when idle). Without a launch template they are not counted.
 */
import { label, referencedBy, referencing, taskDefinitionFamily } from "./lookup";
import { ASSUMPTIONS, expandInstanceTypes, instanceType, monthly, usd, type PricedInstanceType, type RegionPrices } from "./prices";
import type { CostedResource, Estimate } from "./types";

/** USD an hour for one instance of `t` on spot or on demand; spot is capped at `bidPercentage` of on-demand. */
export function instanceHourly(t: PricedInstanceType, spot: boolean, bidPercentage?: number): number {
    if (!spot) return t.hourly;
    const spotShare = 1 - t.spotDiscount;
    return t.hourly * (bidPercentage === undefined ? spotShare : Math.min(spotShare, bidPercentage / 100));
}

/** The most expensive type per vCPU-hour (or per instance-hour) among `types`: the upper-bound rate. */
function costliest(types: readonly PricedInstanceType[], rate: (t: PricedInstanceType) => number): { type: PricedInstanceType; rate: number } {
    return types.map((type) => ({ type, rate: rate(type) })).reduce((a, b) => (b.rate > a.rate ? b : a));
}

function fargateVcpuHourly(p: RegionPrices, spot: boolean): number {
    const f = p.fargate.x86_64;
    return (f.vcpuHourly + ASSUMPTIONS.fargateGbPerVcpu * f.gbHourly) * (spot ? 1 - p.fargate.spotDiscount : 1);
}

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

interface Volumes {
    /** GiB each instance carries, and what they cost a month. */
    readonly gib: number;
    readonly monthly: number;
    readonly basis: string;
}

/** The EBS volumes of the launch template a Batch environment starts its instances from, per instance. */
function launchTemplateVolumes(r: CostedResource, cr: Record<string, any>, p: RegionPrices, all: readonly CostedResource[]): Volumes | undefined {
    if (!cr.launchTemplate) return undefined;
    const template = referencedBy(r, "computeResources", all, LAUNCH_TEMPLATE, (c, v) => {
        const name = (v as { launchTemplate?: { launchTemplateName?: string } } | undefined)?.launchTemplate?.launchTemplateName;
        return name !== undefined && c.props.name === name;
    });
    const mappings = (template?.props.blockDeviceMappings as { ebs?: { volumeSize?: number; volumeType?: string } }[] | undefined) ?? [];
    const ebs = p.ec2.ebsGbMonth as Record<string, number>;
    const volumes = mappings.map((m) => m.ebs).filter((v): v is { volumeSize: number; volumeType?: string } => v?.volumeSize !== undefined);
    if (volumes.length === 0) return undefined;
    const gib = volumes.reduce((sum, v) => sum + Number(v.volumeSize), 0);
    const monthlyCost = volumes.reduce((sum, v) => sum + Number(v.volumeSize) * (ebs[v.volumeType ?? "gp3"] ?? ebs.gp3), 0);
    return { gib, monthly: monthlyCost, basis: volumes.map((v) => `${v.volumeSize} GiB ${v.volumeType ?? "gp3"}`).join(" + ") };
}

export function batchComputeEnvironment(r: CostedResource, p: RegionPrices, region: string, all: readonly CostedResource[] = []): Estimate {
    const cr = r.props.computeResources as Record<string, any> | undefined;
    if (r.props.type === "UNMANAGED" || !cr) return { monthlyIdle: 0, monthlyMax: 0, basis: "unmanaged: its instances are priced where they are created" };
    const minVcpus = Number(cr.minVcpus ?? 0);
    const maxVcpus = Number(cr.maxVcpus);
    const spot = cr.type === "SPOT" || cr.type === "FARGATE_SPOT";
    let rate: number;
    let how: string;
    let storage = { idle: 0, max: 0, basis: "" };
    if (cr.type === "FARGATE" || cr.type === "FARGATE_SPOT") {
        rate = fargateVcpuHourly(p, spot);
        how = `${cr.type}: vCPU-hour + ${ASSUMPTIONS.fargateGbPerVcpu} GB-hours${spot ? `, ${p.fargate.spotDiscount * 100}% spot discount` : ""}`;
    } else {
        const listed = (cr.instanceTypes as string[] | undefined) ?? [];
        if (listed.length === 0) throw new Error(`${label(r)} lists no instance types; the cost model cannot bound what Batch would launch.`);
        const types = expandInstanceTypes(listed, region, label(r));
        const top = costliest(types, (t) => instanceHourly(t, spot, cr.bidPercentage) / t.vcpus);
        rate = top.rate;
        how = `${cr.type}: costliest of ${types.length} type(s), ${top.type.type}${spot ? ` at ${Math.round(top.type.spotDiscount * 100)}% spot discount` : " on demand"}`;
        const volumes = launchTemplateVolumes(r, cr, p, all);
        if (volumes) {
            const smallest = types.reduce((a, b) => (b.vcpus < a.vcpus ? b : a));
            const instances = (vcpus: number) => Math.ceil(vcpus / smallest.vcpus);
            storage = {
                idle: instances(minVcpus) * volumes.monthly,
                max: instances(maxVcpus) * volumes.monthly,
                basis:
                    ` + root volumes: ${instances(minVcpus)}..${instances(maxVcpus)} instance(s) (vCPUs / ${smallest.vcpus}, the smallest listed type ${smallest.type})` +
                    ` × ${volumes.basis} from the launch template (${usd(volumes.monthly)}/instance-month)`,
            };
        } else {
            storage = { ...storage, basis: "; root volumes not counted (no launch template volume size)" };
        }
    }
    return {
        monthlyIdle: minVcpus * monthly(rate) + storage.idle,
        monthlyMax: maxVcpus * monthly(rate) + storage.max,
        basis: `${minVcpus}..${maxVcpus} vCPUs × ${usd(rate)}/vCPU-hour (${how}) × 730 h${storage.basis}`,
    };
}

export function ec2Instance(r: CostedResource, p: RegionPrices, region: string): Estimate {
    const type = r.props.instanceType as string | undefined;
    if (!type) throw new Error(`${label(r)} has no instanceType (one set only in a launch template is not priced); set instanceType.`);
    const spot = r.props.instanceMarketOptions?.marketType === "spot";
    const hourly = instanceHourly(instanceType(type, region, label(r)), spot);
    const ebs = p.ec2.ebsGbMonth as Record<string, number>;
    const root = { volumeSize: ASSUMPTIONS.ec2RootVolumeGbDefault, ...(r.props.rootBlockDevice ?? {}) };
    const volumes = [root, ...((r.props.ebsBlockDevices as Record<string, any>[] | undefined) ?? [])];
    const storageGb = volumes.reduce((sum, v) => sum + Number(v.volumeSize ?? 0), 0);
    const storage = volumes.reduce((sum, v) => sum + Number(v.volumeSize ?? 0) * (ebs[v.volumeType ?? "gp3"] ?? ebs.gp3), 0);
    const total = monthly(hourly) + storage;
    return { monthlyIdle: total, monthlyMax: total, basis: `${type} ${spot ? "spot" : "on demand"} ${usd(hourly)}/h × 730 h + ${storageGb} GB EBS; billed while running` };
}

export function eksCluster(_r: CostedResource, p: RegionPrices): Estimate {
    return { monthlyIdle: monthly(p.eks.clusterHourly), monthlyMax: monthly(p.eks.clusterHourly), basis: `EKS control plane ${usd(p.eks.clusterHourly)}/h × 730 h` };
}

export function eksNodeGroup(r: CostedResource, _p: RegionPrices, region: string): Estimate {
    const listed = (r.props.instanceTypes as string[] | undefined) ?? [];
    if (listed.length === 0) throw new Error(`${label(r)} lists no instanceTypes; set them so the node group can be priced.`);
    const spot = r.props.capacityType === "SPOT";
    const top = costliest(expandInstanceTypes(listed, region, label(r)), (t) => instanceHourly(t, spot));
    const { minSize = 0, maxSize = 0 } = (r.props.scalingConfig ?? {}) as { minSize?: number; maxSize?: number };
    return {
        monthlyIdle: minSize * monthly(top.rate),
        monthlyMax: maxSize * monthly(top.rate),
        basis: `${minSize}..${maxSize} nodes × ${usd(top.rate)}/h (${spot ? "spot" : "on demand"}, costliest type ${top.type.type}) × 730 h`,
    };
}

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const SCALING_TARGET = "aws:appautoscaling/target:Target";

/** The share of a service's tasks on Fargate and on Fargate Spot; zero for EC2 launch types. */
function fargateShares(service: CostedResource, taskDefinition: CostedResource | undefined): { fargate: number; spot: number } {
    const strategies = (service.props.capacityProviderStrategies as { capacityProvider: string; weight?: number }[] | undefined) ?? [];
    const total = strategies.reduce((s, x) => s + (x.weight ?? 0), 0);
    if (strategies.length > 0 && total > 0) {
        const share = (name: string) => strategies.filter((x) => x.capacityProvider === name).reduce((s, x) => s + (x.weight ?? 0), 0) / total;
        return { fargate: share("FARGATE") + share("FARGATE_SPOT"), spot: share("FARGATE_SPOT") };
    }
    const compat = (taskDefinition?.props.requiresCompatibilities as string[] | undefined) ?? [];
    const launchType = service.props.launchType ?? (compat.length === 1 && compat[0] === "FARGATE" ? "FARGATE" : "EC2");
    return { fargate: launchType === "FARGATE" ? 1 : 0, spot: 0 };
}

/** ECS service: its Fargate tasks (CPU and memory from the task definition) at desired or autoscaled counts. */
export function ecsService(r: CostedResource, p: RegionPrices, _region: string, all: readonly CostedResource[]): Estimate {
    const td = referencedBy(r, "taskDefinition", all, TASK_DEFINITION, (c, v) => c.props.family !== undefined && c.props.family === taskDefinitionFamily(v));
    const shares = fargateShares(r, td);
    if (shares.fargate === 0) return { monthlyIdle: 0, monthlyMax: 0, basis: "EC2 launch type: tasks run on instances priced where they are created" };
    if (!td) throw new Error(`${label(r)} runs on Fargate but its task definition is not in the stack; the cost model cannot read its CPU and memory.`);
    const vcpu = Number(td.props.cpu) / 1024;
    const gb = Number(td.props.memory) / 1024;
    if (!(vcpu > 0) || !(gb > 0)) throw new Error(`${label(td)} has no task-level cpu and memory, which Fargate requires.`);
    const arm = td.props.runtimePlatform?.cpuArchitecture === "ARM64";
    const f = arm ? p.fargate.arm64 : p.fargate.x86_64;
    const taskHourly = (vcpu * f.vcpuHourly + gb * f.gbHourly) * shares.fargate * (1 - shares.spot * p.fargate.spotDiscount);
    const name = r.props.name as string | undefined;
    const [target] = referencing(r, "resourceId", all, SCALING_TARGET, (v) => typeof v === "string" && name !== undefined && v.endsWith(`/${name}`));
    const desired = Number(r.props.desiredCount ?? 0);
    const idleTasks = target ? Number(target.props.minCapacity) : desired;
    const maxTasks = target ? Math.max(Number(target.props.maxCapacity), desired) : desired;
    return {
        monthlyIdle: idleTasks * monthly(taskHourly),
        monthlyMax: maxTasks * monthly(taskHourly),
        basis: `${idleTasks}..${maxTasks} Fargate task(s) of ${vcpu} vCPU/${gb} GB${arm ? " ARM64" : ""} × ${usd(taskHourly)}/h${shares.spot > 0 ? ` (${Math.round(shares.spot * 100)}% on Fargate Spot)` : ""} × 730 h`,
    };
}
