import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, keepOptions, logsKeyPolicy, physicalName, policyJson, ssmRoot, tagsFor, type DataProtectionArgs } from "../shared";
import {
    CLUSTER_ADMIN_ACCESS_POLICY,
    CLUSTER_MANAGED_POLICY,
    CONTROL_PLANE_LOG_TYPES,
    clusterLogGroupName,
    execKubeconfig,
    NODE_AMI_TYPES,
    NODE_MANAGED_POLICIES,
    NODE_POOL_LABEL,
    podIdentityTrustPolicy,
    roleNameOf,
    type KubernetesVersion,
    type NodePoolRole,
} from "./eks";
import { jobRoleStatements, type JobRoleGrants } from "./iam";
import { launchTemplateArgs } from "./launch-template";

/** One spot node group. */
export interface NodePoolSettings {
    /** Instance types the group may launch; several, so spot capacity can be found. */
    readonly instanceTypes: readonly string[];
    /** Most nodes the group may scale out to (it idles at zero). */
    readonly maxNodes: number;
}

export interface KubernetesPoolArgs extends DataProtectionArgs {
    /** Environment name: the cluster is `mlp-<env>-k8s`, the job role reads `/ml-platform/<env>`. */
    readonly environment: string;
    /** Region of the cluster, for `aws eks get-token`. */
    readonly region: string;
    /** The platform's tags, for the instances and volumes the node groups launch. */
    readonly tags: Readonly<Record<string, string>>;
    readonly vpcId: pulumi.Input<string>;
    /** Who may reach the private API endpoint (workspaces, CI runners in the VPC). */
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Private subnets of the control plane's network interfaces and of the nodes (two or more zones). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** A Kubernetes version in EKS standard support. */
    readonly version: KubernetesVersion;
    readonly cpu: NodePoolSettings;
    readonly gpu: NodePoolSettings;
    /** Namespace Metaflow's pods run in. @default "metaflow" */
    readonly namespace?: string;
    /** Service account of Metaflow's pods, bound to the job role through Pod Identity. @default "metaflow-jobs" */
    readonly serviceAccount?: string;
    /** IAM roles given cluster admin through access entries; the role that runs Pulumi must be one of them. @default none */
    readonly clusterAdminRoleArns?: readonly string[];
    /** Whoever creates the cluster becomes its admin (cannot be changed without replacing the cluster). @default false */
    readonly clusterCreatorAdmin?: boolean;
    /** What the pods' role may touch: the same grants as the Batch job role. */
    readonly jobGrants: JobRoleGrants;
    /** Root volume size of every node. @default 100 */
    readonly rootVolumeSizeGiB?: number;
    /** Days the control plane logs are kept. @default 30 */
    readonly logRetentionDays?: number;
    /** Waiting period before the cluster key is deleted (7-30 days). @default 30 */
    readonly keyDeletionWindowDays?: number;
}

/**
 * Metaflow's `@kubernetes` compute: a private EKS cluster (secrets envelope-encrypted, control plane
 * logged), CPU and GPU spot node groups that idle at zero nodes, and the namespace and service account
 * whose pods get the job role through EKS Pod Identity.
 *
 * Plain aws.eks resources rather than @pulumi/eks: that is a multi-language component, a single
 * opaque resource under the offline plan's mocks, so the policies could not see (or price) its parts.
 */
export class KubernetesPool extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    /** The private API endpoint, reachable from inside the VPC only. */
    public readonly clusterEndpoint: pulumi.Output<string>;
    /** METAFLOW_KUBERNETES_NAMESPACE. */
    public readonly namespace: pulumi.Output<string>;
    /** METAFLOW_KUBERNETES_SERVICE_ACCOUNT. */
    public readonly serviceAccount: pulumi.Output<string>;
    /** The role Metaflow's pods run as. */
    public readonly jobRoleArn: pulumi.Output<string>;

    constructor(name: string, args: KubernetesPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:compute:KubernetesPool", name, {}, opts);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const keep = keepOptions(this, args);
        const tags = tagsFor(args.tags, "kubernetes-pool");
        const partition = aws.getPartitionOutput({}, child).partition;
        const accountId = aws.getCallerIdentityOutput({}, child).accountId;
        const managed = (policy: string) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;

        const clusterName = physicalName(args.environment, "k8s");
        const logGroupName = clusterLogGroupName(clusterName);
        // One key for the cluster's data: Kubernetes secrets (envelope encryption, through the cluster
        // role's grant below) and the control plane logs (CloudWatch Logs may use it for that group only).
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `EKS secrets and control plane logs of ${clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                policy: pulumi.all([partition, accountId]).apply(([p, a]) => logsKeyPolicy({ partition: p, accountId: a, region: args.region }, logGroupName)),
            },
            keep,
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane-logs`,
            { name: logGroupName, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: key.arn, deletionProtectionEnabled: args.protect ?? false },
            keep,
        );

        const clusterRole = new aws.iam.Role(`${name}-cluster-role`, { description: `EKS control plane of ${clusterName}`, assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com") }, child);
        const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, { role: clusterRole.name, policyArn: managed(CLUSTER_MANAGED_POLICY) }, child);
        const clusterKeyGrant = new aws.iam.RolePolicy(
            `${name}-cluster-key`,
            {
                role: clusterRole.name,
                policy: policyJson([{ Sid: "EnvelopeEncryption", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: key.arn }]),
            },
            child,
        );

        // The endpoint is private: what calls the API (Metaflow clients in the workspaces, CI runners,
        // Pulumi's Kubernetes provider) must be in the VPC or connected to it.
        const apiAccess = new aws.ec2.SecurityGroup(
            `${name}-api`,
            {
                description: `HTTPS to the private API endpoint of ${clusterName} from the VPC`,
                vpcId: args.vpcId,
                ingress: [{ description: "Kubernetes API from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.vpcCidrBlock] }],
                egress: [],
            },
            child,
        );

        const cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                name: clusterName,
                version: args.version,
                roleArn: clusterRole.arn,
                vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [apiAccess.id], endpointPrivateAccess: true, endpointPublicAccess: false },
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                // Access entries only (no aws-auth ConfigMap). Whether the creator is admin is fixed at creation.
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: args.clusterCreatorAdmin ?? false },
                // At the end of standard support EKS upgrades the cluster rather than billing extended support.
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: args.protect ?? false,
            },
            { parent: this, dependsOn: [logGroup, clusterPolicy, clusterKeyGrant] },
        );

        // Named by role, not by position: removing one admin leaves the others' entries alone.
        const admins = (args.clusterAdminRoleArns ?? []).map((principalArn) => {
            const admin = `${name}-admin-${roleNameOf(principalArn)}`;
            const entry = new aws.eks.AccessEntry(admin, { clusterName: cluster.name, principalArn, type: "STANDARD" }, child);
            return new aws.eks.AccessPolicyAssociation(
                `${admin}-policy`,
                {
                    clusterName: cluster.name,
                    principalArn: entry.principalArn,
                    policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_ACCESS_POLICY}`,
                    accessScope: { type: "cluster" },
                },
                child,
            );
        });

        const nodeRole = new aws.iam.Role(`${name}-node-role`, { description: `Nodes of ${clusterName}`, assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com") }, child);
        const nodePolicies = Object.entries(NODE_MANAGED_POLICIES).map(
            ([role, policy]) => new aws.iam.RolePolicyAttachment(`${name}-node-${role}`, { role: nodeRole.name, policyArn: managed(policy) }, child),
        );
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-launch-template`,
            launchTemplateArgs({
                description: `EKS managed nodes of ${clusterName}`,
                rootVolumeSizeGiB: args.rootVolumeSizeGiB ?? 100,
                tags,
                // Pods take credentials from Pod Identity and nothing in them reads instance metadata;
                // one hop keeps them from the node role, which only the host-network agents need.
                metadataHopLimit: 1,
            }),
            child,
        );
        const pools: [NodePoolRole, NodePoolSettings][] = [
            ["cpu", args.cpu],
            ["gpu", args.gpu],
        ];
        for (const [role, pool] of pools) {
            new aws.eks.NodeGroup(
                `${name}-${role}`,
                {
                    clusterName: cluster.name,
                    // A prefix, not a fixed name: changing the instance types replaces the group, and
                    // the new one is created beside the old one before it goes.
                    nodeGroupNamePrefix: `${physicalName(args.environment, `k8s-${role}`)}-`,
                    nodeRoleArn: nodeRole.arn,
                    subnetIds: args.subnetIds,
                    capacityType: "SPOT",
                    instanceTypes: [...pool.instanceTypes],
                    amiType: NODE_AMI_TYPES[role],
                    scalingConfig: { minSize: 0, desiredSize: 0, maxSize: pool.maxNodes },
                    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                    labels: { [NODE_POOL_LABEL]: role },
                    updateConfig: { maxUnavailable: 1 },
                },
                // The cluster autoscaler owns the node count; an update must not reset it.
                { parent: this, dependsOn: nodePolicies, ignoreChanges: ["scalingConfig.desiredSize"] },
            );
        }

        const namespace = args.namespace ?? "metaflow";
        const serviceAccount = args.serviceAccount ?? "metaflow-jobs";
        new aws.eks.Addon(`${name}-pod-identity-agent`, { clusterName: cluster.name, addonName: "eks-pod-identity-agent", resolveConflictsOnUpdate: "OVERWRITE" }, child);
        const jobRole = new aws.iam.Role(
            `${name}-job-role`,
            {
                description: `Metaflow pods of ${clusterName} (${namespace}/${serviceAccount}, EKS Pod Identity)`,
                assumeRolePolicy: pulumi.all([accountId, cluster.arn]).apply(([a, arn]) => podIdentityTrustPolicy(a, arn)),
            },
            child,
        );
        new aws.iam.RolePolicy(
            `${name}-job-access`,
            { role: jobRole.name, policy: policyJson(jobRoleStatements(args.jobGrants, { partition, region: args.region, accountId, ssmRoot: ssmRoot(args.environment) })) },
            child,
        );
        new aws.eks.PodIdentityAssociation(`${name}-job-identity`, { clusterName: cluster.name, namespace, serviceAccount, roleArn: jobRole.arn }, child);

        const provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: pulumi
                    .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
                    .apply(([n, endpoint, ca]) => execKubeconfig({ clusterName: n, endpoint, certificateAuthority: ca.data ?? "", region: args.region })),
                enableServerSideApply: true,
            },
            { parent: this, dependsOn: admins },
        );
        const inCluster: pulumi.CustomResourceOptions = { parent: this, provider };
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } } }, inCluster);
        const sa = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata: { name: serviceAccount, namespace: ns.metadata.name } }, inCluster);

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.clusterEndpoint = cluster.endpoint;
        this.namespace = ns.metadata.name;
        this.serviceAccount = sa.metadata.name;
        this.jobRoleArn = jobRole.arn;
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            clusterEndpoint: this.clusterEndpoint,
            namespace: this.namespace,
            serviceAccount: this.serviceAccount,
            jobRoleArn: this.jobRoleArn,
        });
    }
}
