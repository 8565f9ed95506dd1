/**
 * The fixed parts of the Kubernetes option: which versions EKS supports, which managed policies the
 * cluster and node roles hold, and the documents and kubeconfig built from the cluster's identity.
 */

/**
 * Kubernetes versions in EKS standard support. Extended support costs six times as much per cluster
 * hour, so the cluster is created with `upgradePolicy.supportType: STANDARD` and this list moves
 * forward as EKS releases and retires versions.
 */
export const KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34"] as const;

export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/** Control plane logs worth their ingestion cost: API calls, the audit trail and IAM authentication. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"] as const;

/** Where EKS writes the control plane logs; created beforehand so it has retention and a key. */
export function clusterLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

export const CLUSTER_MANAGED_POLICY = "AmazonEKSClusterPolicy";

/** What kubelet, the image pulls and the VPC CNI need on every node, by the role each plays. */
export const NODE_MANAGED_POLICIES: Readonly<Record<string, string>> = {
    worker: "AmazonEKSWorkerNodePolicy",
    ecr: "AmazonEC2ContainerRegistryReadOnly",
    cni: "AmazonEKS_CNI_Policy",
};

/** The access policy that `clusterAdminRoleArns` get, cluster-wide. */
export const CLUSTER_ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy";

/** `Name` of `arn:aws:iam::123456789012:role/path/Name`: a stable child name for an access entry. */
export function roleNameOf(roleArn: string): string {
    return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

export type NodePoolRole = "cpu" | "gpu";

/** The EKS-optimized AMI family of each node group. */
export const NODE_AMI_TYPES: Readonly<Record<NodePoolRole, string>> = {
    cpu: "AL2023_x86_64_STANDARD",
    gpu: "AL2023_x86_64_NVIDIA",
};

/** The label each node group puts on its nodes, for `METAFLOW_KUBERNETES_NODE_SELECTOR`. */
export const NODE_POOL_LABEL = "ml-platform/pool";

/** A namespace name (RFC 1123 label). */
export const DNS1123_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A service account name (RFC 1123 subdomain). */
export const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The trust policy of a role that EKS Pod Identity hands to pods: the agent assumes it with session
 * tags (cluster, namespace, service account), and only for this account's one cluster.
 */
export function podIdentityTrustPolicy(accountId: string, clusterArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnEquals: { "aws:SourceArn": clusterArn } },
            },
        ],
    });
}

/** A kubeconfig that authenticates with `aws eks get-token` (no stored credential) as whoever runs Pulumi. */
export function execKubeconfig(c: { clusterName: string; endpoint: string; certificateAuthority: string; region: string }): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: c.clusterName, cluster: { server: c.endpoint, "certificate-authority-data": c.certificateAuthority } }],
        users: [
            {
                name: c.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", c.clusterName, "--region", c.region, "--output", "json"],
                    },
                },
            },
        ],
        contexts: [{ name: c.clusterName, context: { cluster: c.clusterName, user: c.clusterName } }],
        "current-context": c.clusterName,
    });
}
