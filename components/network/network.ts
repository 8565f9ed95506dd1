import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, keepOptions, logsKeyPolicy, policyJson, type DataProtectionArgs } from "../shared";
import { arnAccount, FLOW_LOGS_SERVICE, flowLogDeliveryStatements } from "./flow-logs";
import { MAX_ZONES, natIndexForZone, planSubnets, type SubnetPlan } from "./subnets";
import type { PlatformNetwork } from "./types";

/** `protect` and `retainOnDelete` keep the flow log group and its key. */
export interface NetworkArgs extends DataProtectionArgs {
    /** AWS region of the VPC; names the S3 and DynamoDB gateway endpoint services. */
    readonly region: string;
    /** IPv4 block of the VPC (RFC 1918), /22 or larger; split by `planSubnets`. */
    readonly cidrBlock: string;
    /** Availability zones of the private subnets, in the region, two to six; new zones go at the end. */
    readonly availabilityZones: readonly string[];
    /** NAT gateways, 1 to one per zone; each sits in its own zone's public subnet. @default 1 */
    readonly natGateways?: number;
    /** Record all VPC traffic to a CloudWatch log group. @default true */
    readonly flowLogs?: boolean;
    /** Days flow log records are kept (a value CloudWatch Logs accepts). @default 90 */
    readonly flowLogRetentionDays?: number;
    /** KMS key for the flow log group; its key policy must let CloudWatch Logs use it. @default a key of the component's own */
    readonly flowLogKmsKeyArn?: pulumi.Input<string>;
}

/**
 * A private VPC for a standalone platform: private subnets in every given zone, egress through NAT
 * gateways in small public subnets, S3 and DynamoDB reached through gateway endpoints (no NAT charges
 * for datastore traffic), flow logs, and a default security group that allows nothing.
 */
export class Network extends pulumi.ComponentResource implements PlatformNetwork {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidrBlock: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly availabilityZones: pulumi.Output<string[]>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** One per private subnet, in zone order: where further gateway endpoints or routes attach. */
    public readonly privateRouteTableIds: pulumi.Output<string[]>;
    public readonly natGatewayIds: pulumi.Output<string[]>;
    public readonly flowLogGroupName?: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:network:Network", name, {}, opts);
        const zones = [...args.availabilityZones];
        const natCount = args.natGateways ?? 1;
        const plan = this.validate(args, zones, natCount);
        const child: pulumi.CustomResourceOptions = { parent: this };
        // Child names carry the zone letter rather than a list index, so a name says where the
        // resource is. A zone's CIDR blocks follow from its position in the list (planSubnets): a zone
        // added at the end gets subnets, route table and (if configured) a NAT gateway of its own and
        // only updates the gateway endpoints' route table lists in place; removing or reordering any
        // zone but the last moves the blocks of the zones after it, which replaces their subnets.
        const suffixes = zones.map((az) => az.slice(args.region.length));

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: args.cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: name } },
            child,
        );
        // Adopting the default security group with no rules: anything launched without a group of
        // its own gets no traffic at all.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default-deny` } }, child);

        const privateSubnets = zones.map(
            (az, i) =>
                new aws.ec2.Subnet(
                    `${name}-private-${suffixes[i]}`,
                    { vpcId: vpc.id, availabilityZone: az, cidrBlock: plan.private[i], mapPublicIpOnLaunch: false, tags: { Name: `${name}-private-${suffixes[i]}`, Tier: "private" } },
                    child,
                ),
        );

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: name } }, child);
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: { Name: `${name}-public`, Tier: "public" } }, child);
        new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, child);

        // Public subnets exist only to hold NAT gateways, so only the zones with one get a subnet.
        const natZones = zones.slice(0, natCount);
        const publicSubnets = natZones.map((az, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${suffixes[i]}`,
                { vpcId: vpc.id, availabilityZone: az, cidrBlock: plan.public[i], mapPublicIpOnLaunch: false, tags: { Name: `${name}-public-${suffixes[i]}`, Tier: "public" } },
                child,
            );
            new aws.ec2.RouteTableAssociation(`${name}-public-${suffixes[i]}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, child);
            return subnet;
        });
        const natGateways = publicSubnets.map((subnet, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${suffixes[i]}`, { domain: "vpc", tags: { Name: `${name}-nat-${suffixes[i]}` } }, child);
            // AWS needs the internet gateway attached before a public NAT gateway can come up; no
            // input expresses that.
            return new aws.ec2.NatGateway(
                `${name}-nat-${suffixes[i]}`,
                { connectivityType: "public", allocationId: eip.allocationId, subnetId: subnet.id, tags: { Name: `${name}-nat-${suffixes[i]}` } },
                { ...child, dependsOn: [igw] },
            );
        });

        const privateRouteTables = privateSubnets.map((subnet, i) => {
            const table = new aws.ec2.RouteTable(`${name}-private-${suffixes[i]}`, { vpcId: vpc.id, tags: { Name: `${name}-private-${suffixes[i]}`, Tier: "private" } }, child);
            new aws.ec2.Route(
                `${name}-private-${suffixes[i]}-default`,
                { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natGateways[natIndexForZone(i, natCount)].id },
                child,
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${suffixes[i]}`, { subnetId: subnet.id, routeTableId: table.id }, child);
            return table;
        });
        const privateRouteTableIds = privateRouteTables.map((t) => t.id);

        // Gateway endpoints are free and keep datastore and state-table traffic off the NAT gateways
        // (which charge per GB). Their default policy is kept: it only widens what the route table
        // reaches; what a caller may do is still decided by IAM and bucket policies.
        for (const service of ["s3", "dynamodb"]) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service}`,
                { vpcId: vpc.id, serviceName: `com.amazonaws.${args.region}.${service}`, vpcEndpointType: "Gateway", routeTableIds: privateRouteTableIds, tags: { Name: `${name}-${service}` } },
                child,
            );
        }

        if (args.flowLogs ?? true) {
            this.flowLogGroupName = this.createFlowLogs(name, vpc, args, child);
        }

        this.vpcId = vpc.id;
        this.vpcCidrBlock = vpc.cidrBlock;
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.availabilityZones = pulumi.output(zones);
        this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
        this.privateRouteTableIds = pulumi.all(privateRouteTableIds);
        this.natGatewayIds = pulumi.all(natGateways.map((n) => n.id));
        this.registerOutputs({
            vpcId: this.vpcId,
            vpcCidrBlock: this.vpcCidrBlock,
            privateSubnetIds: this.privateSubnetIds,
            availabilityZones: this.availabilityZones,
            publicSubnetIds: this.publicSubnetIds,
            privateRouteTableIds: this.privateRouteTableIds,
            natGatewayIds: this.natGatewayIds,
            flowLogGroupName: this.flowLogGroupName,
        });
    }

    /** Checks the args and returns the subnet plan, or fails with a ResourceError before any child exists. */
    private validate(args: NetworkArgs, zones: readonly string[], natCount: number): SubnetPlan {
        if (new Set(zones).size !== zones.length || zones.length < 2 || zones.length > MAX_ZONES) {
            throw new pulumi.ResourceError(`availabilityZones must name at least two distinct zones and at most ${MAX_ZONES}, got [${zones.join(", ")}]`, this);
        }
        const foreign = zones.filter((az) => !new RegExp(`^${args.region}[a-z]$`).test(az));
        if (foreign.length > 0) {
            throw new pulumi.ResourceError(`availabilityZones [${foreign.join(", ")}] are not zones of ${args.region}`, this);
        }
        if (!Number.isInteger(natCount) || natCount < 1 || natCount > zones.length) {
            throw new pulumi.ResourceError(`natGateways must be from 1 to ${zones.length} (one per zone at most), got ${natCount}`, this);
        }
        try {
            return planSubnets(args.cidrBlock, zones.length);
        } catch (e) {
            throw new pulumi.ResourceError(`cidrBlock: ${(e as Error).message}`, this);
        }
    }

    /**
     * An encrypted log group with retention, the role the flow log service writes through, and the
     * flow log. The account comes from the VPC's ARN rather than an extra provider call.
     */
    private createFlowLogs(name: string, vpc: aws.ec2.Vpc, args: NetworkArgs, child: pulumi.CustomResourceOptions): pulumi.Output<string> {
        // The audit trail outlives the network when data protection asks for it.
        const keep = keepOptions(this, args);
        const account = vpc.arn.apply(arnAccount);
        const groupName = `/vpc/${name}/flow-logs`;
        const kmsKeyArn =
            args.flowLogKmsKeyArn ??
            new aws.kms.Key(
                `${name}-flow-logs`,
                {
                    description: `VPC flow log encryption (${name})`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    policy: account.apply((a) => logsKeyPolicy({ ...a, region: args.region }, groupName)),
                },
                keep,
            ).arn;
        const group = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { name: groupName, retentionInDays: args.flowLogRetentionDays ?? 90, kmsKeyId: kmsKeyArn }, keep);
        // Only flow log deliveries for this account may assume the role (confused-deputy guard).
        const role = new aws.iam.Role(
            `${name}-flow-logs`,
            { description: `VPC flow log delivery for ${name}`, assumeRolePolicy: assumeRolePolicy(FLOW_LOGS_SERVICE, account.accountId) },
            child,
        );
        new aws.iam.RolePolicy(`${name}-flow-logs`, { role: role.id, policy: policyJson(flowLogDeliveryStatements(group.arn)) }, child);
        new aws.ec2.FlowLog(
            `${name}-flow-logs`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: group.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 600,
                tags: { Name: name },
            },
            child,
        );
        return group.name;
    }
}
