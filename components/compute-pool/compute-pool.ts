import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, physicalName, policyJson, ssmRoot, tagsFor } from "../shared";
import { environmentPlans, queuePlans, settingsProblems, type EnvironmentPlan, type EnvironmentRole, type EnvironmentSettings, type GpuSettings, type OnDemandSettings, type QueueRole } from "./environments";
import { ECS_INSTANCE_MANAGED_POLICY, jobRoleStatements, type JobRoleGrants } from "./iam";
import { launchTemplateArgs } from "./launch-template";
import { jobEgressRules } from "./security";

/** The A02 Dask cluster that flows may reach. */
export interface DaskAccess {
    /** `tcp://host:port` that flows pass to `distributed.Client`. */
    readonly schedulerAddress: pulumi.Input<string>;
    readonly schedulerPort: pulumi.Input<number>;
    readonly clusterSecurityGroupId: pulumi.Input<string>;
}

export interface ComputePoolArgs {
    /** Environment name: physical queue names (`mlp-<env>-cpu`) and the SSM path `/ml-platform/<env>`. */
    readonly environment: string;
    /** The platform's tags, for what Batch launches itself (the provider's defaultTags do not reach it). */
    readonly tags: Readonly<Record<string, string>>;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Private subnets the instances run in (two or more zones, so spot can find capacity). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The CPU spot environment behind the `cpu` queue. */
    readonly spot: EnvironmentSettings;
    /** An on-demand CPU environment: the `cpu-ondemand` queue and, by default, the `cpu` fallback. @default none */
    readonly onDemand?: OnDemandSettings;
    /** The GPU spot environment behind the `gpu` queue, with an optional on-demand fallback. */
    readonly gpu: GpuSettings;
    /** Root volume size of every instance (images and scratch space). @default 100 */
    readonly rootVolumeSizeGiB?: number;
    /** Customer-managed key for root volumes; its key policy must let the Auto Scaling and EC2 Spot service-linked roles use it. @default the account's EBS key */
    readonly rootVolumeKmsKeyArn?: pulumi.Input<string>;
    /** The Metaflow datastore the job role reads and writes. */
    readonly artifactStore: { readonly bucketArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
    /** The A01 data lake the job role may read. @default no access */
    readonly dataLake?: JobRoleGrants["dataLake"];
    /** The customer-managed key of the platform's SecureString parameters. @default aws/ssm (no grant needed) */
    readonly parameterKmsKeyArn?: pulumi.Input<string>;
    /** The A02 Dask cluster jobs may connect to. @default none */
    readonly dask?: DaskAccess;
    /** The log group Batch jobs' output goes to (the awslogs driver, written by the ECS agent); named for readers such as `metaflow logs`. @default "/aws/batch/job" */
    readonly logGroupName?: string;
    /** Seconds a job may block the head of a queue with requirements no environment can meet before it is cancelled (600-86400). @default 1800 */
    readonly unrunnableJobTimeoutSeconds?: number;
}

/** Where AWS Batch's awslogs driver puts job output unless a job definition names another group. */
export const BATCH_JOB_LOG_GROUP = "/aws/batch/job";

/** Why Batch reports a job that will never be placed; such a job would block its FIFO queue forever. */
const UNRUNNABLE_REASONS = ["MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"];

/**
 * Where Metaflow steps run: AWS Batch compute environments (CPU spot, GPU spot, on-demand fallbacks
 * where allowed) that scale to zero, the job queues `@batch(queue=...)` names, a hardened launch
 * template, and the roles of the instances and of the steps themselves.
 */
export class ComputePool extends pulumi.ComponentResource {
    public readonly cpuQueueName: pulumi.Output<string>;
    public readonly cpuQueueArn: pulumi.Output<string>;
    /** Only with an on-demand CPU environment. */
    public readonly cpuOnDemandQueueName?: pulumi.Output<string>;
    public readonly cpuOnDemandQueueArn?: pulumi.Output<string>;
    public readonly gpuQueueName: pulumi.Output<string>;
    public readonly gpuQueueArn: pulumi.Output<string>;
    public readonly jobQueueArns: pulumi.Output<string[]>;
    public readonly computeEnvironmentArns: pulumi.Output<string[]>;
    /** The role Metaflow steps run as: METAFLOW_ECS_S3_ACCESS_IAM_ROLE. */
    public readonly jobRoleArn: pulumi.Output<string>;
    /** For other components that grant the steps more (e.g. the Step Functions DynamoDB table). */
    public readonly jobRoleName: pulumi.Output<string>;
    public readonly jobSecurityGroupId: pulumi.Output<string>;
    /** The CloudWatch log group Batch jobs' output goes to (`metaflow logs` reads it). */
    public readonly jobLogGroupName: pulumi.Output<string>;
    /** The A02 Dask scheduler flows connect to, when one is configured. */
    public readonly daskSchedulerAddress?: pulumi.Output<string>;

    constructor(name: string, args: ComputePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:compute:ComputePool", name, {}, opts);
        const plans = environmentPlans(args);
        const problems = settingsProblems(plans);
        if (problems.length > 0) throw new pulumi.ResourceError(`Invalid compute pool settings: ${problems.join("; ")}`, this);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const tags = tagsFor(args.tags, "compute-pool");

        const partition = aws.getPartitionOutput({}, child).partition;
        const region = aws.getRegionOutput({}, child).region;
        const accountId = aws.getCallerIdentityOutput({}, child).accountId;

        const instanceRole = new aws.iam.Role(`${name}-instance-role`, { description: "ECS agent on the Batch instances", assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com") }, child);
        const instancePolicy = new aws.iam.RolePolicyAttachment(
            `${name}-instance-policy`,
            { role: instanceRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${ECS_INSTANCE_MANAGED_POLICY}` },
            child,
        );
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { role: instanceRole.name }, child);

        const jobRole = new aws.iam.Role(
            `${name}-job-role`,
            { description: "Metaflow steps on AWS Batch (METAFLOW_ECS_S3_ACCESS_IAM_ROLE)", assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", accountId) },
            child,
        );
        const grants: JobRoleGrants = { artifactBucketArn: args.artifactStore.bucketArn, artifactKmsKeyArn: args.artifactStore.kmsKeyArn, dataLake: args.dataLake, parameterKmsKeyArn: args.parameterKmsKeyArn };
        const scope = { partition, region, accountId, ssmRoot: ssmRoot(args.environment) };
        new aws.iam.RolePolicy(`${name}-job-access`, { role: jobRole.name, policy: policyJson(jobRoleStatements(grants, scope)) }, child);

        const jobSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-jobs`,
            { description: "Metaflow Batch jobs: no inbound, outbound HTTP(S) and in-VPC", vpcId: args.vpcId, ingress: [], egress: jobEgressRules({ vpcCidrBlock: args.vpcCidrBlock, dask: args.dask }) },
            child,
        );
        if (args.dask) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-dask-scheduler`,
                {
                    description: `Metaflow Batch jobs (${args.environment}) to the Dask scheduler`,
                    securityGroupId: args.dask.clusterSecurityGroupId,
                    referencedSecurityGroupId: jobSecurityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: args.dask.schedulerPort,
                    toPort: args.dask.schedulerPort,
                },
                child,
            );
            this.daskSchedulerAddress = pulumi.output(args.dask.schedulerAddress);
        }

        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-launch-template`,
            launchTemplateArgs({ rootVolumeSizeGiB: args.rootVolumeSizeGiB ?? 100, rootVolumeKmsKeyArn: args.rootVolumeKmsKeyArn, tags }),
            child,
        );

        const environments = new Map<EnvironmentRole, aws.batch.ComputeEnvironment>();
        for (const plan of plans) {
            environments.set(
                plan.role,
                this.computeEnvironment(`${name}-${plan.role}`, plan, {
                    physicalPrefix: `${physicalName(args.environment, plan.role)}-`,
                    subnetIds: args.subnetIds,
                    securityGroupId: jobSecurityGroup.id,
                    instanceProfileArn: instanceProfile.arn,
                    launchTemplate,
                    tags,
                    // The environment must be gone before the instance role loses its policy, or
                    // Batch cannot drain it and the delete hangs with the environment INVALID.
                    dependsOn: [instancePolicy],
                }),
            );
        }

        const timeout = args.unrunnableJobTimeoutSeconds ?? 1800;
        const queues = new Map<QueueRole, aws.batch.JobQueue>();
        for (const queue of queuePlans(plans, args.onDemand?.fallback ?? true)) {
            queues.set(
                queue.role,
                new aws.batch.JobQueue(
                    `${name}-${queue.role}-queue`,
                    {
                        name: physicalName(args.environment, queue.role),
                        state: "ENABLED",
                        priority: queue.priority,
                        computeEnvironmentOrders: queue.environments.map((role, i) => ({ computeEnvironment: environments.get(role)!.arn, order: i + 1 })),
                        jobStateTimeLimitActions: UNRUNNABLE_REASONS.map((reason) => ({ action: "CANCEL", state: "RUNNABLE", maxTimeSeconds: timeout, reason })),
                    },
                    child,
                ),
            );
        }

        const cpu = queues.get("cpu")!;
        const gpu = queues.get("gpu")!;
        const cpuOnDemand = queues.get("cpu-ondemand");
        this.cpuQueueName = cpu.name;
        this.cpuQueueArn = cpu.arn;
        this.cpuOnDemandQueueName = cpuOnDemand?.name;
        this.cpuOnDemandQueueArn = cpuOnDemand?.arn;
        this.gpuQueueName = gpu.name;
        this.gpuQueueArn = gpu.arn;
        this.jobQueueArns = pulumi.all([...queues.values()].map((q) => q.arn));
        this.computeEnvironmentArns = pulumi.all([...environments.values()].map((e) => e.arn));
        this.jobRoleArn = jobRole.arn;
        this.jobRoleName = jobRole.name;
        this.jobSecurityGroupId = jobSecurityGroup.id;
        this.jobLogGroupName = pulumi.output(args.logGroupName ?? BATCH_JOB_LOG_GROUP);
        this.registerOutputs({
            cpuQueueName: this.cpuQueueName,
            cpuQueueArn: this.cpuQueueArn,
            cpuOnDemandQueueName: this.cpuOnDemandQueueName,
            cpuOnDemandQueueArn: this.cpuOnDemandQueueArn,
            gpuQueueName: this.gpuQueueName,
            gpuQueueArn: this.gpuQueueArn,
            jobQueueArns: this.jobQueueArns,
            computeEnvironmentArns: this.computeEnvironmentArns,
            jobRoleArn: this.jobRoleArn,
            jobRoleName: this.jobRoleName,
            jobSecurityGroupId: this.jobSecurityGroupId,
            jobLogGroupName: this.jobLogGroupName,
            daskSchedulerAddress: this.daskSchedulerAddress,
        });
    }

    private computeEnvironment(
        name: string,
        plan: EnvironmentPlan,
        on: {
            physicalPrefix: string;
            subnetIds: pulumi.Input<pulumi.Input<string>[]>;
            securityGroupId: pulumi.Input<string>;
            instanceProfileArn: pulumi.Input<string>;
            launchTemplate: aws.ec2.LaunchTemplate;
            tags: Record<string, string>;
            dependsOn: pulumi.Resource[];
        },
    ): aws.batch.ComputeEnvironment {
        return new aws.batch.ComputeEnvironment(
            name,
            {
                // No serviceRole: Batch uses its service-linked role (AWSServiceRoleForBatch).
                type: "MANAGED",
                state: "ENABLED",
                // A prefix, not a fixed name: a change that forces replacement creates the new
                // environment beside the old one, the queues switch to it, and only then is the old
                // one deleted, so the queues never lose capacity (terraform-aws-metaflow does the same).
                namePrefix: on.physicalPrefix,
                computeResources: {
                    type: plan.type,
                    allocationStrategy: plan.allocationStrategy,
                    instanceTypes: [...plan.instanceTypes],
                    minVcpus: plan.minVcpus,
                    maxVcpus: plan.maxVcpus,
                    subnets: on.subnetIds,
                    securityGroupIds: [on.securityGroupId],
                    instanceRole: on.instanceProfileArn,
                    launchTemplate: { launchTemplateId: on.launchTemplate.id, version: on.launchTemplate.latestVersion.apply(String) },
                    ec2Configurations: [{ imageType: plan.imageType }],
                    tags: on.tags,
                },
            },
            { parent: this, deleteBeforeReplace: false, dependsOn: on.dependsOn },
        );
    }
}
