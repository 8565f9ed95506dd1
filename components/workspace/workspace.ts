import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, keepOptions, physicalName, policyJson, ssmRoot, type DataProtectionArgs } from "../shared";
import { launchStatements, platformStatements, studioStatements, type WorkspaceScope } from "./iam";
import { contentName, encodeScript, MAX_LIFECYCLE_CONTENT, startupScript } from "./lifecycle";
import { spaceName, teamRoleName, teamRolePrefix } from "./naming";
import { jupyterLabAppSettings, MAX_IDLE_TIMEOUT_MINUTES, MIN_IDLE_TIMEOUT_MINUTES, spaceSettings, type JupyterLabDefaults } from "./studio-settings";
import { contentTypeOf, DEFAULT_TEMPLATES_DIRECTORY, readTemplates, templateRole, TEMPLATES_PREFIX } from "./templates";

export interface WorkspaceUser {
    /** The user profile name; the Identity Center `studiouserid` attribute must carry the same value. */
    readonly name: string;
    /** One of `teams`: decides the execution role and the hyperparameter namespace. */
    readonly team: string;
    /** JupyterLab instance type for this user. @default the workspace's defaultInstanceType */
    readonly instanceType?: string;
}

/** What the workspace needs from the compute pool (structurally, a `ComputePool`). */
export interface WorkspaceComputeRefs {
    readonly jobQueueArns: pulumi.Input<pulumi.Input<string>[]>;
    readonly jobRoleArn: pulumi.Input<string>;
    /** Batch jobs' log group, read by `metaflow logs`. @default no log access */
    readonly jobLogGroupName?: pulumi.Input<string>;
}

/** What the workspace needs from the orchestrator (structurally, an `Orchestrator`). */
export interface WorkspaceOrchestratorRefs {
    readonly stepFunctionsRoleArn: pulumi.Input<string>;
    readonly eventBridgeRoleArn: pulumi.Input<string>;
    readonly dynamoDbTableArn: pulumi.Input<string>;
    readonly stateMachinePrefix: pulumi.Input<string>;
    /** Customer-managed key of the table. @default none (AWS-owned key) */
    readonly dynamoDbKmsKeyArn?: pulumi.Input<string>;
}

/** `protect` and `retainOnDelete` keep the key and the domain. */
export interface WorkspaceArgs extends DataProtectionArgs {
    /** Environment name: SSM paths and the domain, role and policy names. */
    readonly environment: string;
    readonly region: string;
    readonly users: readonly WorkspaceUser[];
    /** Teams; one execution role each. */
    readonly teams: readonly string[];
    /** JupyterLab instance type for users without their own. @default "ml.t3.medium" */
    readonly defaultInstanceType?: string;
    /** Minutes without activity before SageMaker stops a JupyterLab app (60 or more). @default 60 */
    readonly idleTimeoutMinutes?: number;
    /** Size of each space's EBS volume, in GB. @default 20 */
    readonly volumeSizeGb?: number;
    /** Largest volume a user may grow a space to, in GB. @default 4 × volumeSizeGb */
    readonly maxVolumeSizeGb?: number;
    /** Metaflow client version installed at start. */
    readonly metaflowVersion: string;
    readonly network: {
        readonly vpcId: pulumi.Input<string>;
        readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
        readonly vpcCidrBlock: pulumi.Input<string>;
    };
    readonly artifactStore: { readonly bucketName: pulumi.Input<string>; readonly bucketArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
    readonly compute: WorkspaceComputeRefs;
    readonly orchestrator: WorkspaceOrchestratorRefs;
    /** SSM parameter with the Metaflow client config. @default `/ml-platform/<env>/metaflow/config` */
    readonly metaflowConfigParameterName?: string;
    /** Customer-managed key of the platform's SecureString parameters. @default none (aws/ssm) */
    readonly parametersKmsKeyArn?: pulumi.Input<string>;
    /** Folder of pipeline templates published to `s3://<bucket>/templates/`. @default the repository's templates/ */
    readonly templatesDirectory?: string;
    /** Keep the domain's home file system (users' files) when the domain is deleted. @default true */
    readonly retainHomeFileSystem?: boolean;
    /** Days a deleted KMS key waits before it is gone. @default 30 */
    readonly keyDeletionWindowDays?: number;
}

/**
 * JupyterLab for every ML engineer: one SageMaker Studio domain in the platform's private subnets
 * (VPC-only, KMS-encrypted storage, IAM sign-in), one execution role per team, and per user only a
 * user profile and a private JupyterLab space. Every space starts with the Metaflow client configured
 * from SSM and the pipeline templates at hand, and stops itself when idle.
 */
export class Workspace extends pulumi.ComponentResource {
    public readonly domainId: pulumi.Output<string>;
    public readonly domainArn: pulumi.Output<string>;
    /** The Studio URL (sign-in goes through a presigned URL, see docs/workspaces.md). */
    public readonly domainUrl: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** Team name → execution role ARN. */
    public readonly teamRoleArns: pulumi.Output<Record<string, string>>;
    /** Managed policy that an Identity Center permission set attaches so people can open their workspace. */
    public readonly launchPolicyArn: pulumi.Output<string>;
    public readonly launchPolicyName: pulumi.Output<string>;
    public readonly lifecycleConfigArn: pulumi.Output<string>;
    /** `s3://<bucket>/templates/`. */
    public readonly templatesUri: pulumi.Output<string>;

    constructor(name: string, args: WorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:workspace:Workspace", name, {}, opts);
        this.checkArgs(args);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const keep = keepOptions(this, args);
        const root = ssmRoot(args.environment);
        const scope: WorkspaceScope = { region: args.region, accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId, ssmRoot: root };
        const idleTimeoutMinutes = args.idleTimeoutMinutes ?? MIN_IDLE_TIMEOUT_MINUTES;
        const volumeSizeGb = args.volumeSizeGb ?? 20;
        const defaultInstanceType = args.defaultInstanceType ?? "ml.t3.medium";

        const key = new aws.kms.Key(
            `${name}-key`,
            { description: `Workspace home and space volumes (${name})`, enableKeyRotation: true, deletionWindowInDays: args.keyDeletionWindowDays ?? 30 },
            keep,
        );
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-security-group`,
            {
                vpcId: args.network.vpcId,
                description: "Studio JupyterLab apps: each other, the platform inside the VPC, AWS APIs and package indexes",
                ingress: [{ description: "Studio apps and their shared storage", protocol: "-1", fromPort: 0, toPort: 0, self: true }],
                egress: [
                    { description: "Studio apps and their shared storage", protocol: "-1", fromPort: 0, toPort: 0, self: true },
                    { description: "Platform services inside the VPC (metadata service, EFS, endpoints)", protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: [args.network.vpcCidrBlock] },
                    { description: "AWS APIs and package indexes over HTTPS, through the VPC's NAT or endpoints", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                ],
            },
            child,
        );

        this.templatesUri = pulumi.interpolate`s3://${args.artifactStore.bucketName}/${TEMPLATES_PREFIX}`;
        for (const template of readTemplates(args.templatesDirectory ?? DEFAULT_TEMPLATES_DIRECTORY)) {
            new aws.s3.BucketObjectv2(
                `${name}-${templateRole(template.relativePath)}`,
                {
                    bucket: args.artifactStore.bucketName,
                    key: `${TEMPLATES_PREFIX}${template.relativePath}`,
                    content: template.content,
                    contentType: contentTypeOf(template.relativePath),
                    serverSideEncryption: "aws:kms",
                    kmsKeyId: args.artifactStore.kmsKeyArn,
                },
                child,
            );
        }

        const content = this.templatesUri.apply((templatesUri) =>
            encodeScript(
                startupScript({
                    environment: args.environment,
                    region: args.region,
                    metaflowConfigParameter: args.metaflowConfigParameterName ?? `${root}/metaflow/config`,
                    templatesUri,
                    metaflowVersion: args.metaflowVersion,
                    idleTimeoutMinutes,
                    teamRolePrefix: teamRolePrefix(args.environment),
                    pipelinesParameterRoot: `${root}/pipelines`,
                }),
            ),
        );
        const lifecycle = new aws.sagemaker.StudioLifecycleConfig(
            `${name}-jupyterlab-startup`,
            {
                studioLifecycleConfigName: content.apply((c) => {
                    if (c.length > MAX_LIFECYCLE_CONTENT) throw new pulumi.ResourceError(`the start-up script is ${c.length} base64 characters; SageMaker takes at most ${MAX_LIFECYCLE_CONTENT}`, this);
                    return contentName(physicalName(args.environment, "jupyterlab"), c);
                }),
                studioLifecycleConfigAppType: "JupyterLab",
                studioLifecycleConfigContent: content,
            },
            child,
        );
        const jupyterLab: JupyterLabDefaults = { instanceType: defaultInstanceType, lifecycleConfigArn: lifecycle.arn, idleTimeoutMinutes };

        // A profile without a team role falls back to this one: Studio itself, no platform data.
        const defaultRole = new aws.iam.Role(
            `${name}-default-role`,
            { name: physicalName(args.environment, "workspace-default"), description: "Studio default execution role: no platform access", assumeRolePolicy: assumeRolePolicy("sagemaker.amazonaws.com", scope.accountId) },
            child,
        );
        const storage = { defaultEbsStorageSettings: { defaultEbsVolumeSizeInGb: volumeSizeGb, maximumEbsVolumeSizeInGb: args.maxVolumeSizeGb ?? volumeSizeGb * 4 } };
        const domain = new aws.sagemaker.Domain(
            `${name}-domain`,
            {
                domainName: physicalName(args.environment, "studio"),
                authMode: "IAM",
                appNetworkAccessType: "VpcOnly",
                vpcId: args.network.vpcId,
                subnetIds: args.network.privateSubnetIds,
                kmsKeyId: key.arn,
                // Tags on the domain, profiles and spaces reach the apps' instances, so spend is attributed.
                tagPropagation: "ENABLED",
                defaultUserSettings: {
                    executionRole: defaultRole.arn,
                    securityGroups: [securityGroup.id],
                    studioWebPortal: "ENABLED",
                    defaultLandingUri: "studio::",
                    autoMountHomeEfs: "Enabled",
                    jupyterLabAppSettings: jupyterLabAppSettings(jupyterLab),
                    spaceStorageSettings: storage,
                },
                defaultSpaceSettings: {
                    executionRole: defaultRole.arn,
                    securityGroups: [securityGroup.id],
                    jupyterLabAppSettings: jupyterLabAppSettings(jupyterLab),
                    spaceStorageSettings: storage,
                },
                domainSettings: {
                    securityGroupIds: [securityGroup.id],
                    // The team role's sessions carry the user's profile name: CloudTrail shows who acted.
                    executionRoleIdentityConfig: "USER_PROFILE_NAME",
                    dockerSettings: { enableDockerAccess: "DISABLED" },
                },
                retentionPolicy: { homeEfsFileSystem: (args.retainHomeFileSystem ?? true) ? "Retain" : "Delete" },
            },
            keep,
        );
        new aws.iam.RolePolicy(`${name}-default-policy`, { role: defaultRole.id, policy: policyJson(studioStatements(domain.id, key.arn, scope)) }, child);

        const grants = {
            artifactBucketArn: args.artifactStore.bucketArn,
            artifactKmsKeyArn: args.artifactStore.kmsKeyArn,
            jobQueueArns: args.compute.jobQueueArns,
            jobRoleArn: args.compute.jobRoleArn,
            jobLogGroupName: args.compute.jobLogGroupName,
            stepFunctionsRoleArn: args.orchestrator.stepFunctionsRoleArn,
            eventBridgeRoleArn: args.orchestrator.eventBridgeRoleArn,
            stateMachinePrefix: args.orchestrator.stateMachinePrefix,
            tableArn: args.orchestrator.dynamoDbTableArn,
            tableKmsKeyArn: args.orchestrator.dynamoDbKmsKeyArn,
            parametersKmsKeyArn: args.parametersKmsKeyArn,
        };
        const teamRoles = new Map<string, aws.iam.Role>();
        for (const team of args.teams) {
            const role = new aws.iam.Role(
                `${name}-team-${team}`,
                { name: teamRoleName(args.environment, team), description: `Studio execution role of team ${team}`, assumeRolePolicy: assumeRolePolicy("sagemaker.amazonaws.com", scope.accountId) },
                child,
            );
            const statements = [...studioStatements(domain.id, key.arn, scope), ...platformStatements(team, grants, scope)];
            new aws.iam.RolePolicy(`${name}-team-${team}-policy`, { role: role.id, policy: policyJson(statements) }, child);
            teamRoles.set(team, role);
        }

        // Per user: a profile and a private space, nothing else, so 100+ users stay cheap to plan.
        for (const user of args.users) {
            const instanceType = user.instanceType ?? defaultInstanceType;
            const settings: JupyterLabDefaults = { ...jupyterLab, instanceType };
            const profile = new aws.sagemaker.UserProfile(
                `${name}-user-${user.name}`,
                {
                    domainId: domain.id,
                    userProfileName: user.name,
                    userSettings: {
                        executionRole: teamRoles.get(user.team)!.arn,
                        securityGroups: [securityGroup.id],
                        jupyterLabAppSettings: jupyterLabAppSettings(settings),
                    },
                    // `studiouserid` is what the launch policy matches against the signed-in person's session tag.
                    tags: { studiouserid: user.name, WorkspaceTeam: user.team },
                },
                child,
            );
            new aws.sagemaker.Space(
                `${name}-space-${user.name}`,
                {
                    domainId: domain.id,
                    spaceName: spaceName(user.name),
                    spaceDisplayName: `${user.name} (JupyterLab)`,
                    ownershipSettings: { ownerUserProfileName: profile.userProfileName },
                    spaceSharingSettings: { sharingType: "Private" },
                    spaceSettings: spaceSettings(settings, volumeSizeGb),
                    tags: { studiouserid: user.name, WorkspaceTeam: user.team },
                },
                child,
            );
        }

        const launch = new aws.iam.Policy(
            `${name}-launch`,
            { name: physicalName(args.environment, "workspace-launch"), description: "Open one's own Studio workspace (attach to the ML engineers' permission set)", policy: policyJson(launchStatements(domain.id, scope)) },
            child,
        );

        this.domainId = domain.id;
        this.domainArn = domain.arn;
        this.domainUrl = domain.url;
        this.securityGroupId = securityGroup.id;
        this.teamRoleArns = pulumi.all([...teamRoles].map(([team, role]) => role.arn.apply((arn) => [team, arn] as const))).apply((pairs) => Object.fromEntries(pairs));
        this.launchPolicyArn = launch.arn;
        this.launchPolicyName = launch.name;
        this.lifecycleConfigArn = lifecycle.arn;
        this.registerOutputs({
            domainId: this.domainId,
            domainArn: this.domainArn,
            domainUrl: this.domainUrl,
            securityGroupId: this.securityGroupId,
            teamRoleArns: this.teamRoleArns,
            launchPolicyArn: this.launchPolicyArn,
            launchPolicyName: this.launchPolicyName,
            lifecycleConfigArn: this.lifecycleConfigArn,
            templatesUri: this.templatesUri,
        });
    }

    /** The stack validates config first; these are the invariants the resources depend on. */
    private checkArgs(args: WorkspaceArgs): void {
        const teams = new Set(args.teams);
        if (teams.size !== args.teams.length) throw new pulumi.ResourceError("teams must be listed once each", this);
        const users = new Set<string>();
        for (const user of args.users) {
            if (users.has(user.name)) throw new pulumi.ResourceError(`user '${user.name}' is listed twice`, this);
            if (!teams.has(user.team)) throw new pulumi.ResourceError(`user '${user.name}' belongs to unknown team '${user.team}'`, this);
            users.add(user.name);
        }
        const idle = args.idleTimeoutMinutes ?? MIN_IDLE_TIMEOUT_MINUTES;
        if (idle < MIN_IDLE_TIMEOUT_MINUTES || idle > MAX_IDLE_TIMEOUT_MINUTES) {
            throw new pulumi.ResourceError(`idleTimeoutMinutes must be from ${MIN_IDLE_TIMEOUT_MINUTES} to ${MAX_IDLE_TIMEOUT_MINUTES} (SageMaker's bounds)`, this);
        }
    }
}
