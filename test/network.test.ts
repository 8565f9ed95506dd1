import { expect } from "chai";
import { Network, type NetworkArgs } from "../components/network";
import { contains, formatCidr, LONGEST_VPC_PREFIX, MAX_ZONES, natIndexForZone, overlaps, parseCidr, planSubnets } from "../components/network/subnets";
import { taggingPolicies } from "../policies/tagging";
import { MOCK_ACCOUNT_ID } from "../tools/mocks/values";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { evaluate, messagesOf } from "./helpers/policies";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const FLOW_LOG_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555";

/** Every pair of blocks in the list, for overlap checks. */
function pairs<T>(items: readonly T[]): [T, T][] {
    return items.flatMap((a, i) => items.slice(i + 1).map((b) => [a, b] as [T, T]));
}

describe("subnet math", () => {
    it("parses and formats CIDR blocks", () => {
        expect(parseCidr("10.20.0.0/16")).to.deep.equal({ address: (10 << 24) + (20 << 16), prefix: 16 });
        expect(formatCidr(parseCidr("192.168.128.0/17"))).to.equal("192.168.128.0/17");
        expect(formatCidr(parseCidr("255.255.255.240/28"))).to.equal("255.255.255.240/28");
    });

    it("rejects malformed blocks and blocks with host bits set", () => {
        expect(() => parseCidr("10.20.0.0")).to.throw("not an IPv4 CIDR block");
        expect(() => parseCidr("10.300.0.0/16")).to.throw("not an IPv4 CIDR block");
        expect(() => parseCidr("10.0.0.0/33")).to.throw("not an IPv4 CIDR block");
        expect(() => parseCidr("10.20.1.0/16")).to.throw("the network address is 10.20.0.0/16");
    });

    it("knows containment and overlap", () => {
        expect(contains(parseCidr("10.0.0.0/8"), parseCidr("10.20.64.0/18"))).to.equal(true);
        expect(contains(parseCidr("10.20.64.0/18"), parseCidr("10.0.0.0/8"))).to.equal(false);
        expect(overlaps(parseCidr("10.20.0.0/18"), parseCidr("10.20.63.0/24"))).to.equal(true);
        expect(overlaps(parseCidr("10.20.0.0/18"), parseCidr("10.20.64.0/24"))).to.equal(false);
    });

    it("lays out two zones of a /16: /19 private subnets from the start, /24 public ones in the last /19", () => {
        expect(planSubnets("10.20.0.0/16", 2)).to.deep.equal({
            private: ["10.20.0.0/19", "10.20.32.0/19"],
            public: ["10.20.224.0/24", "10.20.225.0/24"],
        });
    });

    it("lays out three zones of the smallest VPC, a /22, down to /28 public subnets", () => {
        expect(planSubnets("10.0.4.0/22", 3)).to.deep.equal({
            private: ["10.0.4.0/25", "10.0.4.128/25", "10.0.5.0/25"],
            public: ["10.0.7.128/28", "10.0.7.144/28", "10.0.7.160/28"],
        });
    });

    for (const cidr of ["10.20.0.0/16", "172.16.0.0/20", "192.168.4.0/22"]) {
        it(`keeps every existing zone's blocks when a zone is added to ${cidr}, from 2 to ${MAX_ZONES} zones`, () => {
            for (let n = 2; n < MAX_ZONES; n++) {
                const before = planSubnets(cidr, n);
                const after = planSubnets(cidr, n + 1);
                expect(after.private.slice(0, n), `${n} -> ${n + 1} private`).to.deep.equal(before.private);
                expect(after.public.slice(0, n), `${n} -> ${n + 1} public`).to.deep.equal(before.public);
            }
        });

        it(`keeps every subnet of 2 to ${MAX_ZONES} zones in ${cidr} inside the VPC, /28 or larger, and apart from the others`, () => {
            for (let n = 2; n <= MAX_ZONES; n++) {
                const plan = planSubnets(cidr, n);
                const blocks = [...plan.private, ...plan.public].map(parseCidr);
                expect(blocks.every((b) => contains(parseCidr(cidr), b) && b.prefix <= 28), `${n} zones`).to.equal(true);
                const clashes = pairs(blocks).filter(([a, b]) => overlaps(a, b));
                expect(clashes.map(([a, b]) => `${formatCidr(a)} ~ ${formatCidr(b)}`), `${n} zones`).to.deep.equal([]);
            }
        });
    }

    for (const [cidr, zones] of [["10.20.0.0/16", 3], ["172.16.0.0/20", 4], ["192.168.0.0/22", 6]] as const) {
        it(`keeps every subnet of ${zones} zones in ${cidr} inside the VPC and apart from the others`, () => {
            const plan = planSubnets(cidr, zones);
            const blocks = [...plan.private, ...plan.public].map(parseCidr);
            expect(plan.private).to.have.length(zones);
            expect(plan.public).to.have.length(zones);
            expect(blocks.every((b) => contains(parseCidr(cidr), b) && b.prefix <= 28)).to.equal(true);
            const clashes = pairs(blocks).filter(([a, b]) => overlaps(a, b));
            expect(clashes.map(([a, b]) => `${formatCidr(a)} ~ ${formatCidr(b)}`)).to.deep.equal([]);
        });
    }

    it("refuses a VPC too small for the layout, naming the smallest block that fits, and more zones than it has room for", () => {
        expect(LONGEST_VPC_PREFIX).to.equal(22);
        expect(() => planSubnets("10.0.4.0/23", 2)).to.throw("10.0.4.0/23 is too small for the subnet layout: use /22 or larger");
        expect(() => planSubnets("10.0.0.0/16", MAX_ZONES + 1)).to.throw(`room for 1 to ${MAX_ZONES} zones, got 7`);
    });

    it("routes each zone through its own NAT gateway when it has one, otherwise round-robin", () => {
        expect([0, 1, 2].map((z) => natIndexForZone(z, 3))).to.deep.equal([0, 1, 2]);
        expect([0, 1, 2].map((z) => natIndexForZone(z, 2))).to.deep.equal([0, 1, 0]);
        expect([0, 1, 2].map((z) => natIndexForZone(z, 1))).to.deep.equal([0, 0, 0]);
    });
});

describe("Network", () => {
    describe("three zones, two NAT gateways, flow logs", () => {
        const args: NetworkArgs = {
            region: "us-east-1",
            cidrBlock: "10.30.0.0/16",
            availabilityZones: ZONES,
            natGateways: 2,
            flowLogs: true,
            flowLogRetentionDays: 30,
            flowLogKmsKeyArn: FLOW_LOG_KEY,
        };
        let resources: RecordedResource[];
        let outputs: { vpcId: string; vpcCidrBlock: string; privateSubnetIds: string[]; availabilityZones: string[]; privateRouteTableIds: string[]; natGatewayIds: string[] };
        const get = (type: string, role: string) => one(resources, `aws:ec2/${type}`, `net-${role}`);
        const idOf = (type: string, role: string) => get(type, role).state.id as string;

        before(async () => {
            const run = await record(async () => {
                const net = new Network("net", args, { providers: [testProvider()] });
                return {
                    vpcId: await resolve(net.vpcId),
                    vpcCidrBlock: await resolve(net.vpcCidrBlock),
                    privateSubnetIds: await resolve(net.privateSubnetIds),
                    availabilityZones: await resolve(net.availabilityZones),
                    privateRouteTableIds: await resolve(net.privateRouteTableIds),
                    natGatewayIds: await resolve(net.natGatewayIds),
                };
            });
            resources = run.resources;
            outputs = run.outputs;
        });

        it("creates a VPC with DNS support and hostnames", () => {
            const vpc = get("vpc:Vpc", "vpc");
            expect(vpc.inputs).to.include({ cidrBlock: "10.30.0.0/16", enableDnsSupport: true, enableDnsHostnames: true });
            expect(outputs.vpcId).to.equal(vpc.state.id);
            expect(outputs.vpcCidrBlock).to.equal("10.30.0.0/16");
        });

        it("puts a private subnet in each zone, with non-overlapping blocks from the plan", () => {
            const plan = planSubnets("10.30.0.0/16", 3);
            const subnets = ["a", "b", "c"].map((z) => get("subnet:Subnet", `private-${z}`));
            expect(subnets.map((s) => s.inputs.availabilityZone)).to.deep.equal(ZONES);
            expect(subnets.map((s) => s.inputs.cidrBlock)).to.deep.equal(plan.private);
            expect(subnets.every((s) => s.inputs.vpcId === outputs.vpcId && s.inputs.mapPublicIpOnLaunch === false)).to.equal(true);
            expect(pairs(subnets.map((s) => parseCidr(s.inputs.cidrBlock))).some(([a, b]) => overlaps(a, b))).to.equal(false);
            expect(outputs.privateSubnetIds).to.deep.equal(subnets.map((s) => s.state.id));
            expect(outputs.availabilityZones).to.deep.equal(ZONES);
        });

        it("creates public subnets only in the zones that hold a NAT gateway, none auto-assigning public IPs", () => {
            const publicSubnets = ofType(resources, "aws:ec2/subnet:Subnet").filter((s) => s.inputs.tags?.Tier === "public");
            expect(publicSubnets.map((s) => s.inputs.availabilityZone)).to.deep.equal(["us-east-1a", "us-east-1b"]);
            expect(publicSubnets.map((s) => s.inputs.cidrBlock)).to.deep.equal(planSubnets("10.30.0.0/16", 3).public.slice(0, 2));
            expect(publicSubnets.every((s) => s.inputs.mapPublicIpOnLaunch === false)).to.equal(true);
        });

        it("creates the configured number of NAT gateways, each with an Elastic IP in its zone's public subnet", () => {
            const nats = ofType(resources, "aws:ec2/natGateway:NatGateway");
            expect(nats.map((n) => n.name)).to.deep.equal(["net-nat-a", "net-nat-b"]);
            expect(ofType(resources, "aws:ec2/eip:Eip").map((e) => e.inputs.domain)).to.deep.equal(["vpc", "vpc"]);
            for (const zone of ["a", "b"]) {
                const nat = get("natGateway:NatGateway", `nat-${zone}`);
                expect(nat.inputs.connectivityType).to.equal("public");
                expect(nat.inputs.allocationId).to.equal(get("eip:Eip", `nat-${zone}`).state.allocationId);
                expect(nat.inputs.subnetId).to.equal(idOf("subnet:Subnet", `public-${zone}`));
                expect(nat.dependencies).to.include(get("internetGateway:InternetGateway", "igw").urn);
            }
            expect(outputs.natGatewayIds).to.deep.equal(nats.map((n) => n.state.id));
        });

        it("routes public subnets to the internet gateway", () => {
            const table = idOf("routeTable:RouteTable", "public");
            const route = get("route:Route", "public-default");
            expect(route.inputs).to.deep.include({ routeTableId: table, destinationCidrBlock: "0.0.0.0/0", gatewayId: idOf("internetGateway:InternetGateway", "igw") });
            expect(route.inputs.natGatewayId).to.equal(undefined);
            for (const zone of ["a", "b"]) {
                expect(get("routeTableAssociation:RouteTableAssociation", `public-${zone}`).inputs).to.deep.include({ subnetId: idOf("subnet:Subnet", `public-${zone}`), routeTableId: table });
            }
        });

        it("routes each private subnet through a NAT gateway, spread over the gateways", () => {
            const expectedNat = { a: "nat-a", b: "nat-b", c: "nat-a" } as const;
            for (const [zone, nat] of Object.entries(expectedNat)) {
                const table = idOf("routeTable:RouteTable", `private-${zone}`);
                const route = get("route:Route", `private-${zone}-default`);
                expect(route.inputs).to.deep.include({ routeTableId: table, destinationCidrBlock: "0.0.0.0/0", natGatewayId: idOf("natGateway:NatGateway", nat) });
                expect(route.inputs.gatewayId).to.equal(undefined);
                expect(get("routeTableAssociation:RouteTableAssociation", `private-${zone}`).inputs).to.deep.include({ subnetId: idOf("subnet:Subnet", `private-${zone}`), routeTableId: table });
            }
            expect(outputs.privateRouteTableIds).to.deep.equal(["a", "b", "c"].map((z) => idOf("routeTable:RouteTable", `private-${z}`)));
        });

        it("attaches S3 and DynamoDB gateway endpoints to every private route table and no public one", () => {
            for (const service of ["s3", "dynamodb"]) {
                const endpoint = get("vpcEndpoint:VpcEndpoint", service);
                expect(endpoint.inputs).to.deep.include({ vpcId: outputs.vpcId, serviceName: `com.amazonaws.us-east-1.${service}`, vpcEndpointType: "Gateway" });
                expect(endpoint.inputs.routeTableIds).to.deep.equal(outputs.privateRouteTableIds);
            }
        });

        it("locks the default security group down to no rules at all", () => {
            const sg = get("defaultSecurityGroup:DefaultSecurityGroup", "default-sg");
            expect(sg.inputs.vpcId).to.equal(outputs.vpcId);
            expect(sg.inputs.ingress).to.deep.equal([]);
            expect(sg.inputs.egress).to.deep.equal([]);
        });

        it("sends all VPC traffic records to a retained, encrypted log group", () => {
            const group = one(resources, "aws:cloudwatch/logGroup:LogGroup", "net-flow-logs");
            expect(group.inputs).to.deep.include({ name: "/vpc/net/flow-logs", retentionInDays: 30, kmsKeyId: FLOW_LOG_KEY });
            const flowLog = get("flowLog:FlowLog", "flow-logs");
            expect(flowLog.inputs).to.deep.include({
                vpcId: outputs.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: group.state.arn,
                iamRoleArn: one(resources, "aws:iam/role:Role", "net-flow-logs").state.arn,
            });
            expect(ofType(resources, "aws:kms/key:Key"), "no key of its own when one is given").to.deep.equal([]);
        });

        it("lets only this account's flow log service assume the delivery role, to write only that group", () => {
            const trust = parseJson(one(resources, "aws:iam/role:Role", "net-flow-logs").inputs.assumeRolePolicy);
            expect(trust.Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                    Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
                },
            ]);
            const groupArn = one(resources, "aws:cloudwatch/logGroup:LogGroup", "net-flow-logs").state.arn;
            const policy = parseJson(one(resources, "aws:iam/rolePolicy:RolePolicy", "net-flow-logs").inputs.policy);
            expect(policy.Statement).to.deep.equal([
                { Sid: "WriteFlowLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [groupArn, `${groupArn}:*`] },
            ]);
        });

        it("parents every resource to the component and passes required-tags with the stack provider", async () => {
            const component = resources.find((r) => r.type === "ml-platform:network:Network");
            const children = resources.filter((r) => r.custom && r.type.startsWith("aws:"));
            expect(children.every((r) => r.parent === component?.urn)).to.equal(true);
            const evaluation = await evaluate(taggingPolicies, resources);
            expect(messagesOf(evaluation, "required-tags")).to.deep.equal([]);
        });
    });

    describe("defaults, without flow logs", () => {
        let resources: RecordedResource[];

        before(async () => {
            const run = await record(() => {
                new Network("net", { region: "us-east-1", cidrBlock: "10.40.0.0/20", availabilityZones: ZONES.slice(0, 2), flowLogs: false }, { providers: [testProvider()] });
            });
            resources = run.resources;
        });

        it("creates one NAT gateway and one public subnet, and routes both private subnets through it", () => {
            const nats = ofType(resources, "aws:ec2/natGateway:NatGateway");
            expect(nats.map((n) => n.name)).to.deep.equal(["net-nat-a"]);
            expect(ofType(resources, "aws:ec2/subnet:Subnet").filter((s) => s.inputs.tags?.Tier === "public")).to.have.length(1);
            const privateRoutes = ofType(resources, "aws:ec2/route:Route").filter((r) => r.name.startsWith("net-private-"));
            expect(privateRoutes.map((r) => r.inputs.natGatewayId)).to.deep.equal([nats[0].state.id, nats[0].state.id]);
        });

        it("creates no flow log, log group or role", () => {
            const types = new Set(resources.map((r) => r.type));
            for (const type of ["aws:ec2/flowLog:FlowLog", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:kms/key:Key"]) expect(types.has(type), type).to.equal(false);
        });
    });

    describe("flow logs without a key given, data protected", () => {
        let resources: RecordedResource[];

        before(async () => {
            const run = await record(() => {
                const args: NetworkArgs = { region: "us-east-1", cidrBlock: "10.40.0.0/20", availabilityZones: ZONES.slice(0, 2), protect: true, retainOnDelete: true };
                new Network("net", args, { providers: [testProvider()] });
            });
            resources = run.resources;
        });

        it("encrypts the log group with a rotated key of its own", () => {
            const key = one(resources, "aws:kms/key:Key", "net-flow-logs");
            expect(key.inputs).to.deep.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            const group = one(resources, "aws:cloudwatch/logGroup:LogGroup", "net-flow-logs");
            expect(group.inputs).to.deep.include({ retentionInDays: 90, kmsKeyId: key.state.arn });
        });

        it("protects the key and the log group, and only them", () => {
            const kept = resources.filter((r) => r.protect || r.retainOnDelete);
            expect(kept.map((r) => `${r.type} ${r.name}`)).to.have.members(["aws:kms/key:Key net-flow-logs", "aws:cloudwatch/logGroup:LogGroup net-flow-logs"]);
            expect(kept.every((r) => r.protect && r.retainOnDelete)).to.equal(true);
        });

        it("lets CloudWatch Logs use the key only for the flow log group", () => {
            const policy = parseJson(one(resources, "aws:kms/key:Key", "net-flow-logs").inputs.policy);
            const [admin, logs] = policy.Statement;
            expect(policy.Statement).to.have.length(2);
            expect(admin.Principal).to.deep.equal({ AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` });
            expect(logs.Principal).to.deep.equal({ Service: "logs.us-east-1.amazonaws.com" });
            expect(logs.Action).to.not.include("kms:*");
            expect(logs.Condition).to.deep.equal({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:/vpc/net/flow-logs*` } });
        });
    });

    describe("broken invariants", () => {
        async function errorOf(args: NetworkArgs): Promise<string> {
            try {
                await record(() => void new Network("net", args, { providers: [testProvider()] }));
            } catch (e) {
                return (e as Error).message;
            }
            throw new Error("expected the Network to refuse these args");
        }
        const base: NetworkArgs = { region: "us-east-1", cidrBlock: "10.40.0.0/16", availabilityZones: ZONES.slice(0, 2) };

        it("refuses a single zone", async () => {
            expect(await errorOf({ ...base, availabilityZones: ["us-east-1a"] })).to.contain("at least two distinct zones");
        });

        it("refuses zones of another region", async () => {
            expect(await errorOf({ ...base, availabilityZones: ["us-east-1a", "us-west-2b"] })).to.contain("[us-west-2b] are not zones of us-east-1");
        });

        it("refuses a VPC block too small for the subnet layout", async () => {
            expect(await errorOf({ ...base, cidrBlock: "10.40.0.0/26" })).to.contain("cidrBlock: 10.40.0.0/26 is too small for the subnet layout: use /22 or larger");
        });

        it("refuses more zones than the layout has room for", async () => {
            const seven = ["a", "b", "c", "d", "e", "f", "g"].map((z) => `us-east-1${z}`);
            expect(await errorOf({ ...base, availabilityZones: seven })).to.contain("at least two distinct zones and at most 6");
        });

        it("refuses more NAT gateways than zones", async () => {
            expect(await errorOf({ ...base, natGateways: 3 })).to.contain("natGateways must be from 1 to 2");
        });
    });
});
