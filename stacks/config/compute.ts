/**
 * `ml-platform:compute`: the AWS Batch compute pool and the optional Kubernetes (EKS) option. Instance
 * types must be in the platform's catalogue (policies/data/instance-types.json) and priced for the
 * stack's region, so that the cost model and the policies can reason about every one; each
 * environment scales from `minVcpus` (0: nothing runs when idle) to `maxVcpus`, each node group from
 * zero nodes to `maxNodes`.
 */
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, KUBERNETES_VERSIONS, roleNameOf, type KubernetesVersion } from "../../components/compute-pool/eks";
import { LOG_RETENTION_DAYS } from "../../components/network";
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

export interface NodeGroupConfig {
    /** EC2 instance types the spot node group may launch. */
    readonly instanceTypes: readonly string[];
    /** Nodes the group may scale out to; it idles at zero. */
    readonly maxNodes: number;
}

/** The EKS option, read only when `enabled`. */
export interface KubernetesComputeConfig {
    /** Kubernetes version of the cluster, one in EKS standard support. */
    readonly version: KubernetesVersion;
    readonly cpu: NodeGroupConfig;
    readonly gpu: NodeGroupConfig;
    /** Namespace of Metaflow's pods (METAFLOW_KUBERNETES_NAMESPACE). */
    readonly namespace: string;
    /** Service account of Metaflow's pods (METAFLOW_KUBERNETES_SERVICE_ACCOUNT), bound to the job role. */
    readonly serviceAccount: string;
    /** IAM roles with cluster admin access entries (the role that runs Pulumi among them). */
    readonly clusterAdminRoleArns: readonly string[];
    /** The cluster's creator gets admin rights at creation. */
    readonly clusterCreatorAdmin: boolean;
    /** Days the control plane logs are kept. */
    readonly logRetentionDays: number;
}

export interface ComputeConfig {
    /** CPU spot environment behind the `cpu` queue. */
    readonly spot: ComputeEnvironmentConfig;
    /** On-demand CPU environment; with `enabled: false` none exists. */
    readonly onDemand: OnDemandComputeConfig;
    /** GPU environment (spot), optionally backed by on-demand GPU. */
    readonly gpu: GpuComputeConfig;
    /** Root volume size of every Batch instance (and EKS node), GiB. */
    readonly rootVolumeSizeGiB: number;
    /** The EKS cluster and its node groups; undefined unless `kubernetes.enabled` (the control plane costs while idle). */
    readonly kubernetes?: KubernetesComputeConfig;
}

const KEYS = ["spot", "onDemand", "gpu", "rootVolumeSizeGiB", "kubernetes"];
const KUBERNETES_KEYS = ["enabled", "version", "cpu", "gpu", "namespace", "serviceAccount", "clusterAdminRoleArns", "clusterCreatorAdmin", "logRetentionDays"];
const NODE_GROUP_KEYS = ["instanceTypes", "maxNodes"];
/** A node group's size bound; far above any one platform's quota, it only catches typos. */
const MAX_NODES = 100;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
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

export function parseCompute(reader: ConfigReader, base: Pick<BaseConfig, "region" | "environment">): ComputeConfig {
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
        kubernetes: readKubernetes(node.get("kubernetes").object(KUBERNETES_KEYS), allowed, base.environment),
    };
}

/** The EKS option; off by default, and then nothing else may be set (it would be silently ignored). */
function readKubernetes(node: ConfigNode, allowed: ReadonlySet<string>, environment: string): KubernetesComputeConfig | undefined {
    if (!node.get("enabled").bool({ default: false })) {
        rejectPresent(node, KUBERNETES_KEYS.slice(1), "kubernetes.enabled is false");
        return undefined;
    }
    const retentionNode = node.get("logRetentionDays");
    const logRetentionDays = retentionNode.int({ default: environment === "prod" ? 365 : 30, min: 1, max: 3653 });
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
        retentionNode.fail(`one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return {
        // No default: moving to a newer version is an upgrade of a running cluster, made on purpose.
        version: node.get("version").string({ oneOf: KUBERNETES_VERSIONS }) as KubernetesVersion,
        cpu: readNodeGroup(node.get("cpu").object(NODE_GROUP_KEYS, true), "cpu", allowed),
        gpu: readNodeGroup(node.get("gpu").object(NODE_GROUP_KEYS, true), "gpu", allowed),
        namespace: node.get("namespace").string({ default: "metaflow", pattern: DNS1123_LABEL, describe: "a Kubernetes namespace name (RFC 1123 label: lowercase letters, digits and '-', at most 63)" }),
        serviceAccount: node.get("serviceAccount").string({
            default: "metaflow-jobs",
            pattern: DNS1123_SUBDOMAIN,
            describe: "a Kubernetes service account name (RFC 1123 subdomain: lowercase letters, digits, '-' and '.', at most 253)",
        }),
        clusterAdminRoleArns: readAdminRoles(node.get("clusterAdminRoleArns")),
        clusterCreatorAdmin: node.get("clusterCreatorAdmin").bool({ default: false }),
        logRetentionDays,
    };
}

/** Each role's access entry is named after the role, so two roles may not share a name. */
function readAdminRoles(node: ConfigNode): string[] {
    const arns: string[] = [];
    for (const item of node.list({ default: [] })) {
        const arn = item.string({ pattern: IAM_ROLE_ARN, describe: "an IAM role ARN (arn:aws:iam::<account>:role/<name>)" });
        if (!arn) continue;
        if (arns.some((a) => roleNameOf(a) === roleNameOf(arn))) item.fail("a role whose name is not already listed");
        else arns.push(arn);
    }
    return arns;
}

function readNodeGroup(node: ConfigNode, kind: "cpu" | "gpu", allowed: ReadonlySet<string>): NodeGroupConfig {
    return { instanceTypes: readInstanceTypes(node.get("instanceTypes"), kind, allowed), maxNodes: node.get("maxNodes").int({ min: 1, max: MAX_NODES }) };
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
