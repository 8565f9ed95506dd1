/**
 * The pieces every part of the metadata service is made of, with the settings they always get:
 * roles with one inline policy, security group rules that name their peer, KMS-encrypted log groups,
 * Fargate task definitions and services in private subnets.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, policyJson, type StatementInput } from "../shared";

export interface ServiceRole {
    readonly role: aws.iam.Role;
    readonly arn: pulumi.Output<string>;
    readonly name: pulumi.Output<string>;
    /** Its inline policy, when there is anything to allow. */
    readonly policy?: aws.iam.RolePolicy;
    /**
     * The role and its policy: what must exist before anything acts with the role's permissions.
     * The role's ARN carries no dependency on the policy, which IAM attaches separately.
     */
    readonly granted: pulumi.Resource[];
}

/** A role that one AWS service assumes, with one inline policy when there is anything to allow. */
export function serviceRole(name: string, service: string, statements: readonly StatementInput[], opts: pulumi.CustomResourceOptions): ServiceRole {
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy(service), description: `${name} (${service})` }, opts);
    const policy = statements.length > 0 ? new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy: policyJson(statements) }, opts) : undefined;
    return { role, arn: role.arn, name: role.name, policy, granted: policy ? [role, policy] : [role] };
}

export type Peer = { readonly securityGroupId: pulumi.Input<string> } | { readonly cidr: pulumi.Input<string> };

function peerArgs(peer: Peer) {
    return "securityGroupId" in peer ? { referencedSecurityGroupId: peer.securityGroupId } : { cidrIpv4: peer.cidr };
}

/** Allows TCP `port` into `securityGroupId` from one peer. */
export function allowIn(name: string, securityGroupId: pulumi.Input<string>, port: number, from: Peer, description: string, opts: pulumi.CustomResourceOptions) {
    return new aws.vpc.SecurityGroupIngressRule(name, { securityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, description, ...peerArgs(from) }, opts);
}

/** Allows TCP `port` out of `securityGroupId` to one peer. */
export function allowOut(name: string, securityGroupId: pulumi.Input<string>, port: number, to: Peer, description: string, opts: pulumi.CustomResourceOptions) {
    return new aws.vpc.SecurityGroupEgressRule(name, { securityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, description, ...peerArgs(to) }, opts);
}

/**
 * A security group with no rules of its own: every rule is a separate resource naming its peer, and
 * the provider removes AWS's default allow-all egress, so the group allows only what is declared.
 */
export function securityGroup(name: string, vpcId: pulumi.Input<string>, description: string, opts: pulumi.CustomResourceOptions): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId, description, revokeRulesOnDelete: true }, opts);
}

/** HTTPS to anywhere: image pulls (through the NAT gateway), Secrets Manager, CloudWatch Logs, S3. */
export function allowAwsApis(name: string, securityGroupId: pulumi.Input<string>, opts: pulumi.CustomResourceOptions) {
    return allowOut(`${name}-to-https`, securityGroupId, 443, { cidr: "0.0.0.0/0" }, "AWS APIs and image registries over HTTPS", opts);
}

export function encryptedLogGroup(name: string, logGroupName: string, retentionInDays: number, kmsKeyArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions) {
    return new aws.cloudwatch.LogGroup(name, { name: logGroupName, retentionInDays, kmsKeyId: kmsKeyArn }, opts);
}

export interface TaskDefinitionSpec {
    readonly family: string;
    readonly cpu: number;
    readonly memory: number;
    /** Container definitions; may hold outputs (rendered with pulumi.jsonStringify). */
    readonly containers: readonly unknown[];
    readonly executionRoleArn: pulumi.Input<string>;
    readonly taskRoleArn: pulumi.Input<string>;
}

export function fargateTaskDefinition(name: string, spec: TaskDefinitionSpec, opts: pulumi.CustomResourceOptions): aws.ecs.TaskDefinition {
    return new aws.ecs.TaskDefinition(
        name,
        {
            family: spec.family,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(spec.cpu),
            memory: String(spec.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: spec.executionRoleArn,
            taskRoleArn: spec.taskRoleArn,
            containerDefinitions: pulumi.jsonStringify(spec.containers),
        },
        opts,
    );
}

export interface FargateServiceSpec {
    readonly clusterArn: pulumi.Input<string>;
    readonly taskDefinitionArn: pulumi.Input<string>;
    readonly desiredCount: number;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<string>[];
    readonly targetGroupArn: pulumi.Input<string>;
    readonly containerName: string;
    readonly containerPort: number;
    /** Run on Fargate Spot (interruptible, about 70% cheaper). */
    readonly spot: boolean;
}

/**
 * A load-balanced Fargate service. ECS spreads the tasks over the subnets' zones; a deployment that
 * does not become healthy is rolled back, and Pulumi waits for it, so a bad image fails the update.
 */
export function fargateService(name: string, spec: FargateServiceSpec, opts: pulumi.CustomResourceOptions): aws.ecs.Service {
    return new aws.ecs.Service(
        name,
        {
            cluster: spec.clusterArn,
            taskDefinition: spec.taskDefinitionArn,
            desiredCount: spec.desiredCount,
            capacityProviderStrategies: [{ capacityProvider: spec.spot ? "FARGATE_SPOT" : "FARGATE", weight: 1 }],
            networkConfiguration: { subnets: spec.subnetIds, securityGroups: spec.securityGroupIds, assignPublicIp: false },
            loadBalancers: [{ targetGroupArn: spec.targetGroupArn, containerName: spec.containerName, containerPort: spec.containerPort }],
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            availabilityZoneRebalancing: "ENABLED",
            healthCheckGracePeriodSeconds: 90,
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            waitForSteadyState: true,
        },
        opts,
    );
}

/** An IP target group for Fargate tasks with an HTTP health check. */
export function ipTargetGroup(name: string, vpcId: pulumi.Input<string>, port: number, healthPath: string, opts: pulumi.CustomResourceOptions): aws.lb.TargetGroup {
    return new aws.lb.TargetGroup(
        name,
        {
            vpcId,
            port,
            protocol: "HTTP",
            targetType: "ip",
            deregistrationDelay: 30,
            healthCheck: { path: healthPath, port: "traffic-port", protocol: "HTTP", matcher: "200-299", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
        },
        opts,
    );
}

/** TLS 1.3 with TLS 1.2 fallback: ELB's recommended policy. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** An A alias record pointing a name at a load balancer. */
export function aliasRecord(name: string, zoneId: string, domainName: string, lb: aws.lb.LoadBalancer, opts: pulumi.CustomResourceOptions) {
    return new aws.route53.Record(name, { zoneId, name: domainName, type: "A", aliases: [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }] }, opts);
}
