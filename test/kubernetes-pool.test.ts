import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { KubernetesPool, type KubernetesPoolArgs } from "../components/compute-pool";
import { parsePlatformConfig } from "../stacks/config";
import { REPO_ROOT, mandatoryViolations, runPlan, type PlanResult } from "../tools/plan/plan";
import { MOCK_ACCOUNT_ID } from "../tools/mocks/values";
import { issuesOf, platformConfig, withBlock } from "./helpers/config";
import { one, ofType, parseJson, record, TEST_TAGS, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { planOf, STACKS } from "./helpers/stacks";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const KEY = "ml-platform:compute";

const ARTIFACT_BUCKET = "arn:aws:s3:::mlp-dev-artifacts";
const ARTIFACT_KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/artifact-key`;
const SUBNETS = ["subnet-0aaa", "subnet-0bbb"];
const DEPLOYER = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/platform-deployer`;

const ARGS: KubernetesPoolArgs = {
    environment: "dev",
    region: "us-east-1",
    tags: TEST_TAGS,
    vpcId: "vpc-0test",
    vpcCidrBlock: "10.20.0.0/16",
    subnetIds: SUBNETS,
    version: "1.33",
    cpu: { instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m6a.xlarge"], maxNodes: 4 },
    gpu: { instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"], maxNodes: 2 },
    clusterAdminRoleArns: [DEPLOYER],
    rootVolumeSizeGiB: 120,
    logRetentionDays: 14,
    jobGrants: { artifactBucketArn: ARTIFACT_BUCKET, artifactKmsKeyArn: ARTIFACT_KEY },
};

/** The EKS option as a stack's config block turns it on. */
const ENABLED = {
    enabled: true,
    version: "1.34",
    cpu: { instanceTypes: ["c6a.xlarge", "c6i.xlarge", "m6a.xlarge"], maxNodes: 1 },
    gpu: { instanceTypes: ["g4dn.xlarge", "g6.xlarge", "g5.xlarge"], maxNodes: 1 },
    clusterAdminRoleArns: [DEPLOYER],
};

describe("KubernetesPool", () => {
    let resources: RecordedResource[];
    let outputs: { clusterName: string; namespace: string; serviceAccount: string; jobRoleArn: string };
    const pool = (type: string, name: string) => one(resources, type, `k8s-${name}`);

    before(async () => {
        ({ resources, outputs } = await record(async () => {
            const k8s = new KubernetesPool("k8s", ARGS, { providers: [testProvider()] });
            return { clusterName: await resolve(k8s.clusterName), namespace: await resolve(k8s.namespace), serviceAccount: await resolve(k8s.serviceAccount), jobRoleArn: await resolve(k8s.jobRoleArn) };
        }));
    });

    it("creates a private cluster of the configured version in the private subnets", () => {
        const cluster = pool(CLUSTER, "cluster");
        expect(cluster.inputs.name).to.equal("mlp-dev-k8s");
        expect(cluster.inputs.version).to.equal("1.33");
        expect(cluster.inputs.vpcConfig).to.deep.include({ subnetIds: SUBNETS, endpointPrivateAccess: true, endpointPublicAccess: false });
        expect(cluster.inputs.vpcConfig.securityGroupIds).to.deep.equal([pool("aws:ec2/securityGroup:SecurityGroup", "api").state.id]);
        expect(cluster.inputs.upgradePolicy).to.deep.equal({ supportType: "STANDARD" });
        expect(outputs.clusterName).to.equal("mlp-dev-k8s");
    });

    it("lets only the VPC reach the API endpoint, on 443", () => {
        const sg = pool("aws:ec2/securityGroup:SecurityGroup", "api");
        expect(sg.inputs.ingress).to.have.length(1);
        expect(sg.inputs.ingress[0]).to.deep.include({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.20.0.0/16"] });
    });

    it("envelope-encrypts secrets with its own rotating key, which the cluster role may use", () => {
        const key = pool("aws:kms/key:Key", "key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        expect(pool(CLUSTER, "cluster").inputs.encryptionConfig).to.deep.equal({ resources: ["secrets"], provider: { keyArn: key.state.arn } });
        const grant = parseJson(pool("aws:iam/rolePolicy:RolePolicy", "cluster-key").inputs.policy);
        expect(grant.Statement).to.deep.equal([{ Sid: "EnvelopeEncryption", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: key.state.arn }]);
        expect(pool("aws:iam/rolePolicy:RolePolicy", "cluster-key").inputs.role).to.equal(pool(ROLE, "cluster-role").state.name);
    });

    it("logs api, audit and authenticator to a log group it creates first, with retention and the key", () => {
        const cluster = pool(CLUSTER, "cluster");
        const logs = pool("aws:cloudwatch/logGroup:LogGroup", "control-plane-logs");
        expect(cluster.inputs.enabledClusterLogTypes).to.deep.equal(["api", "audit", "authenticator"]);
        expect(logs.inputs).to.deep.include({ name: "/aws/eks/mlp-dev-k8s/cluster", retentionInDays: 14, kmsKeyId: pool("aws:kms/key:Key", "key").state.arn });
        expect(cluster.dependencies).to.include(logs.urn);
        const keyPolicy = parseJson(pool("aws:kms/key:Key", "key").inputs.policy);
        const logsStatement = keyPolicy.Statement.find((s: any) => s.Sid === "CloudWatchLogsEncryptsOwnLogGroups");
        expect(logsStatement.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).to.equal(`arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:/aws/eks/mlp-dev-k8s/cluster*`);
    });

    it("authenticates through access entries only; the creator is not admin, the configured roles are", () => {
        expect(pool(CLUSTER, "cluster").inputs.accessConfig).to.deep.equal({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        expect(pool("aws:eks/accessEntry:AccessEntry", "admin-platform-deployer").inputs).to.deep.include({ principalArn: DEPLOYER, type: "STANDARD", clusterName: "mlp-dev-k8s" });
        expect(pool("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-platform-deployer-policy").inputs).to.deep.include({
            principalArn: DEPLOYER,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
        });
    });

    it("gives the cluster and node roles exactly their AWS-managed policies", () => {
        const policiesOf = (role: string) =>
            ofType(resources, ATTACHMENT)
                .filter((a) => a.inputs.role === pool(ROLE, role).state.name)
                .map((a) => a.inputs.policyArn);
        expect(parseJson(pool(ROLE, "cluster-role").inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({ Service: "eks.amazonaws.com" });
        expect(policiesOf("cluster-role")).to.deep.equal(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
        expect(parseJson(pool(ROLE, "node-role").inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({ Service: "ec2.amazonaws.com" });
        expect(policiesOf("node-role")).to.have.members(
            ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"].map((p) => `arn:aws:iam::aws:policy/${p}`),
        );
    });

    for (const [role, types, maxNodes, amiType] of [
        ["cpu", ARGS.cpu.instanceTypes, 4, "AL2023_x86_64_STANDARD"],
        ["gpu", ARGS.gpu.instanceTypes, 2, "AL2023_x86_64_NVIDIA"],
    ] as const) {
        it(`runs a ${role} spot node group that idles at zero nodes, in the private subnets, from the hardened launch template`, () => {
            const group = pool(NODE_GROUP, role);
            const template = pool("aws:ec2/launchTemplate:LaunchTemplate", "launch-template");
            expect(group.inputs).to.deep.include({
                clusterName: "mlp-dev-k8s",
                nodeGroupNamePrefix: `mlp-dev-k8s-${role}-`,
                capacityType: "SPOT",
                instanceTypes: [...types],
                amiType,
                subnetIds: SUBNETS,
                nodeRoleArn: pool(ROLE, "node-role").state.arn,
            });
            expect(group.inputs.scalingConfig).to.deep.equal({ minSize: 0, desiredSize: 0, maxSize: maxNodes });
            expect(group.inputs.launchTemplate).to.deep.equal({ id: template.state.id, version: "1" });
            expect(group.ignoreChanges).to.deep.equal(["scalingConfig.desiredSize"]);
        });
    }

    it("launches nodes with IMDSv2 only (one hop: pods cannot reach the node role) and an encrypted root volume", () => {
        const template = pool("aws:ec2/launchTemplate:LaunchTemplate", "launch-template");
        expect(template.inputs.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(template.inputs.blockDeviceMappings[0].ebs).to.deep.include({ encrypted: "true", volumeSize: 120, volumeType: "gp3" });
    });

    it("binds the Metaflow service account to a pod role with the Batch job role's grants", () => {
        const role = pool(ROLE, "job-role");
        const trust = parseJson(role.inputs.assumeRolePolicy);
        expect(trust.Statement).to.deep.equal([
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID }, ArnEquals: { "aws:SourceArn": pool(CLUSTER, "cluster").state.arn } },
            },
        ]);
        const policy = parseJson(pool("aws:iam/rolePolicy:RolePolicy", "job-access").inputs.policy);
        const sids = policy.Statement.map((s: any) => s.Sid);
        expect(sids).to.include.members(["PlatformParameters", "PublishModelDrift"]);
        expect(JSON.stringify(policy)).to.contain(ARTIFACT_BUCKET).and.to.contain(ARTIFACT_KEY).and.to.contain(":parameter/ml-platform/dev");
        expect(pool("aws:eks/podIdentityAssociation:PodIdentityAssociation", "job-identity").inputs).to.deep.include({
            clusterName: "mlp-dev-k8s",
            namespace: "metaflow",
            serviceAccount: "metaflow-jobs",
            roleArn: role.state.arn,
        });
        expect(pool("aws:eks/addon:Addon", "pod-identity-agent").inputs).to.deep.include({ clusterName: "mlp-dev-k8s", addonName: "eks-pod-identity-agent" });
        expect(outputs.jobRoleArn).to.equal(role.state.arn);
    });

    it("creates the namespace and service account through a Kubernetes provider that authenticates with aws eks get-token", () => {
        const provider = pool("pulumi:providers:kubernetes", "k8s");
        const kubeconfig = parseJson(provider.inputs.kubeconfig);
        expect(kubeconfig.clusters[0].cluster.server).to.equal(pool(CLUSTER, "cluster").state.endpoint);
        expect(kubeconfig.clusters[0].cluster["certificate-authority-data"]).to.equal(pool(CLUSTER, "cluster").state.certificateAuthority.data);
        expect(kubeconfig.users[0].user.exec).to.deep.include({ command: "aws", args: ["eks", "get-token", "--cluster-name", "mlp-dev-k8s", "--region", "us-east-1", "--output", "json"] });
        expect(provider.dependencies).to.include(pool("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-platform-deployer-policy").urn);
        const namespace = pool("kubernetes:core/v1:Namespace", "namespace");
        const account = pool("kubernetes:core/v1:ServiceAccount", "service-account");
        expect(namespace.inputs.metadata.name).to.equal("metaflow");
        expect(account.inputs.metadata).to.deep.include({ name: "metaflow-jobs", namespace: "metaflow" });
        expect([namespace.provider, account.provider]).to.deep.equal([provider.urn, provider.urn]);
        expect(outputs).to.deep.include({ namespace: "metaflow", serviceAccount: "metaflow-jobs" });
    });

    it("parents every child to the component", () => {
        const component = resources.find((r) => r.type === "ml-platform:compute:KubernetesPool")!;
        const children = resources.filter((r) => r.name.startsWith("k8s-"));
        expect(children.length).to.be.greaterThan(20);
        expect(children.filter((r) => r.parent !== component.urn).map((r) => r.name)).to.deep.equal([]);
    });
});

describe("compute.kubernetes config", () => {
    for (const stack of STACKS) {
        it(`is off in the committed ${stack} stack`, () => {
            expect(platformConfig(stack).compute.kubernetes).to.equal(undefined);
        });
    }

    it("reads an enabled block, with the namespace, service account, creator and retention defaults", () => {
        const k8s = parsePlatformConfig(withBlock(KEY, (c) => (c.kubernetes = ENABLED)), "dev").compute.kubernetes;
        expect(k8s).to.deep.equal({
            version: "1.34",
            cpu: ENABLED.cpu,
            gpu: ENABLED.gpu,
            namespace: "metaflow",
            serviceAccount: "metaflow-jobs",
            clusterAdminRoleArns: [DEPLOYER],
            clusterCreatorAdmin: false,
            logRetentionDays: 30,
        });
    });

    const rejected: [string, (k: any) => void, string][] = [
        ["an unknown version", (k) => (k.version = "1.27"), "kubernetes.version"],
        ["a missing version", (k) => delete k.version, "kubernetes.version"],
        ["maxNodes below 1", (k) => (k.cpu.maxNodes = 0), "kubernetes.cpu.maxNodes"],
        ["an empty instance type list", (k) => (k.gpu.instanceTypes = []), "kubernetes.gpu.instanceTypes"],
        ["a CPU type in the GPU group", (k) => (k.gpu.instanceTypes = ["g5.xlarge", "m7i.xlarge"]), "kubernetes.gpu.instanceTypes[1]"],
        ["an invalid namespace name", (k) => (k.namespace = "Metaflow_Jobs"), "kubernetes.namespace"],
        ["a namespace name longer than 63", (k) => (k.namespace = "a".repeat(64)), "kubernetes.namespace"],
        ["an invalid service account name", (k) => (k.serviceAccount = "-jobs"), "kubernetes.serviceAccount"],
        ["an admin that is not a role ARN", (k) => (k.clusterAdminRoleArns = ["arn:aws:iam::123456789012:user/alice"]), "kubernetes.clusterAdminRoleArns[0]"],
        ["two admin roles of one name", (k) => (k.clusterAdminRoleArns = [DEPLOYER, "arn:aws:iam::111122223333:role/platform-deployer"]), "kubernetes.clusterAdminRoleArns[1]"],
        ["a retention CloudWatch does not accept", (k) => (k.logRetentionDays = 10), "kubernetes.logRetentionDays"],
        ["an unknown key", (k) => (k.nodes = 3), "kubernetes.nodes"],
    ];
    for (const [what, change, key] of rejected) {
        it(`rejects ${what} with the key path`, () => {
            const raw = withBlock(KEY, (c) => {
                c.kubernetes = structuredClone(ENABLED);
                change(c.kubernetes);
            });
            expect(issuesOf(raw).map((i) => i.path)).to.deep.equal([`${KEY}.${key}`]);
        });
    }

    it("rejects settings while disabled, rather than ignoring them", () => {
        const issues = issuesOf(withBlock(KEY, (c) => (c.kubernetes = { ...ENABLED, enabled: false })));
        expect(issues.map((i) => i.path)).to.have.members(["version", "cpu", "gpu", "clusterAdminRoleArns"].map((k) => `${KEY}.kubernetes.${k}`));
        expect(issues[0].expected).to.contain("kubernetes.enabled is false");
    });
});

describe("dev stack with the Kubernetes option on", () => {
    let plan: PlanResult;
    let committed: PlanResult;

    before(async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-k8s-"));
        for (const f of fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
        fs.cpSync(path.join(REPO_ROOT, "policies", "config"), path.join(dir, "policies", "config"), { recursive: true });
        fs.cpSync(path.join(REPO_ROOT, "fixtures"), path.join(dir, "fixtures"), { recursive: true });
        const file = path.join(dir, "Pulumi.dev.yaml");
        const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
        // Dev's budget has room for the control plane and both node groups once Batch CPU gives up 8 vCPUs.
        doc.config[KEY].kubernetes = ENABLED;
        doc.config[KEY].spot.maxVcpus = 24;
        fs.writeFileSync(file, yaml.dump(doc));
        plan = await runPlan("dev", dir);
        committed = await planOf("dev");
    });

    it("passes every policy: no mandatory violation, and nothing reported on the Kubernetes pool", () => {
        expect(mandatoryViolations(plan)).to.deep.equal([]);
        expect(plan.violations.filter((v) => v.urn?.includes("kubernetes"))).to.deep.equal([]);
    });

    it("adds only the Kubernetes pool to the committed dev stack (Batch CPU trimmed to make room)", () => {
        const added = plan.resources.filter((r) => !committed.resources.some((c) => c.urn === r.urn));
        expect(added.every((r) => r.name.startsWith("mlp-dev-kubernetes"))).to.equal(true);
        expect(plan.resources.length - committed.resources.length).to.equal(added.length);
        expect(added.filter((r) => r.type === NODE_GROUP)).to.have.length(2);
    });

    it("prices the control plane while idle and the node groups only at scale", () => {
        const item = (name: string) => plan.cost.items.find((i) => i.urn.endsWith(`::${name}`))!;
        expect(item("mlp-dev-kubernetes-cluster").monthlyIdle).to.equal(73);
        expect(item("mlp-dev-kubernetes-cpu").monthlyIdle).to.equal(0);
        expect(item("mlp-dev-kubernetes-gpu").monthlyMax).to.be.greaterThan(0);
    });

    it("gives the Metaflow config the namespace and service account, and publishes the cluster name", () => {
        const outputs = plan.outputs as { metaflowConfig: Record<string, string>; eksClusterName?: string };
        expect(outputs.metaflowConfig).to.deep.include({ METAFLOW_KUBERNETES_NAMESPACE: "metaflow", METAFLOW_KUBERNETES_SERVICE_ACCOUNT: "metaflow-jobs" });
        expect(outputs.eksClusterName).to.equal("mlp-dev-k8s");
        const before = committed.outputs as { metaflowConfig: Record<string, string>; eksClusterName?: string };
        expect(before.metaflowConfig).not.to.have.property("METAFLOW_KUBERNETES_NAMESPACE");
        expect(before).not.to.have.property("eksClusterName");
    });
});
