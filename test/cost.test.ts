import { expect } from "chai";
import { estimateStackCost, pricedInstanceTypes, PRICED_RESOURCE_TYPES, type CostedResource } from "../policies/cost";
import prices from "../policies/cost/prices.json";
import { GPU_FAMILIES, instanceFamily, instanceTypeSpec, KNOWN_INSTANCE_TYPES } from "../policies/lib/instance-types";
import { planOf } from "./helpers/stacks";

/** The table the hand calculations below read their list prices from. */
const P = prices.regions["us-east-1"];
const HOURS = 730;
const hourly = (type: string) => (P.ec2.instanceHourly as Record<string, number>)[type];
const discount = (family: string) => (P.ec2.spotDiscount as Record<string, number>)[family];
const cents = (n: number) => Math.round(n * 100) / 100;

function resource(type: string, name: string, props: Record<string, any>, propertyDependencies: Record<string, string[]> = {}): CostedResource {
    return { urn: `urn:pulumi:dev::ml-platform::${type}::${name}`, type, name, props, propertyDependencies };
}

/** Estimates one resource (with companions it references) and returns its item. */
function itemOf(r: CostedResource, others: CostedResource[] = []) {
    const estimate = estimateStackCost([r, ...others], "us-east-1");
    const item = estimate.items.find((i) => i.urn === r.urn);
    if (!item) throw new Error(`no cost item for ${r.name}`);
    return item;
}

const CE = "aws:batch/computeEnvironment:ComputeEnvironment";

function computeEnvironment(name: string, computeResources: Record<string, any>): CostedResource {
    return resource(CE, name, {
        type: "MANAGED",
        computeResources: { subnets: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"], instanceRole: "arn:aws:iam::123456789012:instance-profile/ecs", minVcpus: 0, ...computeResources },
    });
}

describe("cost model", () => {
    describe("price table", () => {
        it("states its source and date", () => {
            expect(prices.source).to.match(/Price List API/);
            expect(prices.retrieved).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(prices.hoursPerMonth).to.equal(HOURS);
        });

        it("prices every type of the instance catalogue, and only those, with a spot discount for each family", () => {
            expect(Object.keys(P.ec2.instanceHourly).sort()).to.deep.equal([...KNOWN_INSTANCE_TYPES].sort());
            expect(pricedInstanceTypes("us-east-1").sort()).to.deep.equal([...KNOWN_INSTANCE_TYPES].sort());
            for (const type of KNOWN_INSTANCE_TYPES) {
                expect(hourly(type), type).to.be.greaterThan(0);
                expect(discount(instanceFamily(type)), type).to.be.within(0.05, 0.95);
            }
            expect(Object.keys(GPU_FAMILIES).every((f) => discount(f) !== undefined)).to.equal(true);
        });
    });

    describe("Batch compute environments", () => {
        it("a spot environment costs minVcpus when idle and maxVcpus at most, at the costliest listed type's spot $/vCPU-hour", () => {
            const ce = computeEnvironment("cpu-spot", {
                type: "SPOT",
                allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED",
                instanceTypes: ["m7i.xlarge", "c7i.2xlarge", "r7i.large"],
                minVcpus: 4,
                maxVcpus: 64,
            });
            const rates = [
                (hourly("m7i.xlarge") * (1 - discount("m7i"))) / 4,
                (hourly("c7i.2xlarge") * (1 - discount("c7i"))) / 8,
                (hourly("r7i.large") * (1 - discount("r7i"))) / 2,
            ];
            const rate = Math.max(...rates);
            const item = itemOf(ce);
            expect(item.monthlyIdle).to.equal(cents(4 * rate * HOURS));
            expect(item.monthlyMax).to.equal(cents(64 * rate * HOURS));
            expect(item.basis).to.include("r7i.large");
        });

        it("scaled to zero, it costs nothing idle", () => {
            const item = itemOf(computeEnvironment("cpu-spot", { type: "SPOT", instanceTypes: ["m7i.xlarge"], maxVcpus: 32 }));
            expect(item.monthlyIdle).to.equal(0);
            expect(item.monthlyMax).to.equal(cents(32 * ((hourly("m7i.xlarge") * (1 - discount("m7i"))) / 4) * HOURS));
        });

        it("an on-demand environment pays the full price", () => {
            const item = itemOf(computeEnvironment("cpu-ondemand", { type: "EC2", allocationStrategy: "BEST_FIT_PROGRESSIVE", instanceTypes: ["m7i.xlarge", "m6i.xlarge"], maxVcpus: 16 }));
            const rate = Math.max(hourly("m7i.xlarge") / 4, hourly("m6i.xlarge") / 4);
            expect(item.monthlyMax).to.equal(cents(16 * rate * HOURS));
        });

        it("a GPU spot environment takes the costliest GPU type per vCPU", () => {
            const item = itemOf(computeEnvironment("gpu-spot", { type: "SPOT", instanceTypes: ["g5.xlarge", "g6.2xlarge"], maxVcpus: 16 }));
            const rate = Math.max((hourly("g5.xlarge") * (1 - discount("g5"))) / 4, (hourly("g6.2xlarge") * (1 - discount("g6"))) / 8);
            expect(item.monthlyMax).to.equal(cents(16 * rate * HOURS));
        });

        it("bidPercentage caps the spot price below the typical discount", () => {
            const item = itemOf(computeEnvironment("cpu-spot", { type: "SPOT", instanceTypes: ["m7i.xlarge"], maxVcpus: 8, bidPercentage: 30 }));
            expect(item.monthlyMax).to.equal(cents(8 * ((hourly("m7i.xlarge") * 0.3) / 4) * HOURS));
        });

        it("a bare family stands for all of its catalogued sizes", () => {
            const item = itemOf(computeEnvironment("cpu-spot", { type: "SPOT", instanceTypes: ["c6i"], maxVcpus: 8 }));
            const sizes = KNOWN_INSTANCE_TYPES.filter((t) => instanceFamily(t) === "c6i");
            const rate = Math.max(...sizes.map((t) => (hourly(t) * (1 - discount("c6i"))) / instanceTypeSpec(t)!.vcpus));
            expect(item.basis).to.include(`${sizes.length} type(s)`);
            expect(item.monthlyMax).to.equal(cents(8 * rate * HOURS));
        });

        it("a FARGATE_SPOT environment takes the Fargate vCPU-hour and 2 GB-hours per vCPU, at the Fargate Spot discount", () => {
            const item = itemOf(computeEnvironment("fargate", { type: "FARGATE_SPOT", maxVcpus: 16 }));
            const rate = (P.fargate.x86_64.vcpuHourly + 2 * P.fargate.x86_64.gbHourly) * (1 - P.fargate.spotDiscount);
            expect(item.monthlyMax).to.equal(cents(16 * rate * HOURS));
        });

        it("an unknown instance type is an error naming the type and the environment", () => {
            const ce = computeEnvironment("cpu-spot", { type: "SPOT", instanceTypes: ["m7i.xlarge", "x9z.large"], maxVcpus: 8 });
            expect(() => estimateStackCost([ce], "us-east-1")).to.throw(/'cpu-spot'.*'x9z\.large'/);
        });

        it("an unknown family is an error naming it", () => {
            expect(() => estimateStackCost([computeEnvironment("cpu-spot", { type: "SPOT", instanceTypes: ["optimal"], maxVcpus: 8 })], "us-east-1")).to.throw(/'optimal'/);
        });

        it("an environment without instance types is an error, not a zero", () => {
            expect(() => estimateStackCost([computeEnvironment("cpu-spot", { type: "SPOT", maxVcpus: 8 })], "us-east-1")).to.throw(/'cpu-spot' lists no instance types/);
        });

        describe("root volumes from the launch template", () => {
            const template = resource("aws:ec2/launchTemplate:LaunchTemplate", "pool-template", {
                name: "pool-template-1234",
                blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3", volumeSize: 100, encrypted: "true" } }],
            });
            const spot = { type: "SPOT", instanceTypes: ["m7i.xlarge", "c7i.2xlarge"], minVcpus: 6, maxVcpus: 30 };
            // Costliest per vCPU: m7i.xlarge and c7i.2xlarge at their spot discounts.
            const rate = Math.max((hourly("m7i.xlarge") * (1 - discount("m7i"))) / 4, (hourly("c7i.2xlarge") * (1 - discount("c7i"))) / 8);
            const volume = 100 * P.ec2.ebsGbMonth.gp3;

            it("add ceil(vCPUs / the smallest listed type's vCPUs) instances' volumes: 2 idle (6/4), 8 at max (30/4)", () => {
                const ce = { ...computeEnvironment("cpu-spot", { ...spot, launchTemplate: { launchTemplateId: "lt-0abc", version: "1" } }), propertyDependencies: { computeResources: [template.urn] } };
                const item = itemOf(ce, [template]);
                expect(item.monthlyIdle).to.equal(cents(6 * rate * HOURS + 2 * volume));
                expect(item.monthlyMax).to.equal(cents(30 * rate * HOURS + 8 * volume));
                expect(item.basis).to.include("root volumes: 2..8 instance(s) (vCPUs / 4, the smallest listed type m7i.xlarge) × 100 GiB gp3 from the launch template ($8/instance-month)");
            });

            it("find the template by name when no dependency is recorded", () => {
                const ce = computeEnvironment("cpu-spot", { ...spot, launchTemplate: { launchTemplateName: "pool-template-1234" } });
                expect(itemOf(ce, [template]).monthlyMax).to.equal(cents(30 * rate * HOURS + 8 * volume));
            });

            it("are not counted, and the basis says so, without a launch template", () => {
                const item = itemOf(computeEnvironment("cpu-spot", spot), [template]);
                expect(item.monthlyMax).to.equal(cents(30 * rate * HOURS));
                expect(item.basis).to.include("root volumes not counted (no launch template volume size)");
            });

            it("are counted in every real stack's Batch environments", async () => {
                for (const stack of ["dev", "staging", "prod"]) {
                    const plan = await planOf(stack);
                    const environments = plan.cost.items.filter((i) => i.type === CE);
                    expect(environments, stack).to.not.be.empty;
                    for (const item of environments) expect(item.basis, `${stack} ${item.name}`).to.match(/root volumes: \d+\.\.\d+ instance\(s\).* GiB gp3 from the launch template/);
                }
            });
        });
    });

    describe("EC2 and EKS", () => {
        it("a spot EKS node group costs minSize nodes idle and maxSize at most, at its costliest type", () => {
            const group = resource("aws:eks/nodeGroup:NodeGroup", "workers", {
                clusterName: "c",
                nodeRoleArn: "arn:aws:iam::123456789012:role/node",
                subnetIds: ["subnet-a"],
                capacityType: "SPOT",
                instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
                scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 5 },
            });
            const node = Math.max(hourly("m7i.xlarge") * (1 - discount("m7i")), hourly("m6i.xlarge") * (1 - discount("m6i")));
            const item = itemOf(group);
            expect(item.monthlyIdle).to.equal(cents(node * HOURS));
            expect(item.monthlyMax).to.equal(cents(5 * node * HOURS));
        });

        it("an on-demand EC2 instance costs its hourly price and its root volume", () => {
            const item = itemOf(resource("aws:ec2/instance:Instance", "box", { instanceType: "m7i.large", rootBlockDevice: { volumeSize: 20, volumeType: "gp3" } }));
            expect(item.monthlyIdle).to.equal(cents(hourly("m7i.large") * HOURS + 20 * P.ec2.ebsGbMonth.gp3));
        });

        it("an EC2 instance of an unknown type is an error naming it", () => {
            expect(() => estimateStackCost([resource("aws:ec2/instance:Instance", "box", { instanceType: "t3.micro" })], "us-east-1")).to.throw(/'t3\.micro'/);
        });
    });

    describe("network", () => {
        it("a NAT gateway costs its hourly price for 730 hours, idle or not", () => {
            const item = itemOf(resource("aws:ec2/natGateway:NatGateway", "nat-a", { subnetId: "subnet-a", allocationId: "eipalloc-1" }));
            expect(item.monthlyIdle).to.equal(cents(P.vpc.natGatewayHourly * HOURS));
            expect(item.monthlyMax).to.equal(item.monthlyIdle);
            expect(item.monthlyIdle).to.equal(32.85);
        });

        it("an Elastic IP costs the public IPv4 hourly price", () => {
            expect(itemOf(resource("aws:ec2/eip:Eip", "nat-a", { domain: "vpc" })).monthlyIdle).to.equal(cents(P.ec2.publicIpv4Hourly * HOURS));
        });

        it("an application load balancer costs its hours idle and adds one LCU at most", () => {
            const item = itemOf(resource("aws:lb/loadBalancer:LoadBalancer", "alb", { internal: true, loadBalancerType: "application", subnets: ["a", "b"] }));
            expect(item.monthlyIdle).to.equal(cents(P.elb.application.hourly * HOURS));
            expect(item.monthlyMax).to.equal(cents((P.elb.application.hourly + P.elb.application.lcuHourly) * HOURS));
        });

        it("an interface endpoint costs per zone; a gateway endpoint nothing", () => {
            const iface = itemOf(resource("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", { vpcId: "vpc-1", vpcEndpointType: "Interface", subnetIds: ["a", "b"] }));
            expect(iface.monthlyIdle).to.equal(cents(2 * P.vpc.interfaceEndpointHourlyPerAz * HOURS));
            expect(itemOf(resource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", { vpcId: "vpc-1", vpcEndpointType: "Gateway" })).monthlyIdle).to.equal(0);
        });
    });

    describe("services and databases", () => {
        const taskDefinition = resource("aws:ecs/taskDefinition:TaskDefinition", "metadata-task", {
            family: "mlp-dev-metadata",
            cpu: "1024",
            memory: "2048",
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            containerDefinitions: "[]",
        });
        const taskHourly = 1 * P.fargate.x86_64.vcpuHourly + 2 * P.fargate.x86_64.gbHourly;

        it("a Fargate service costs its desired tasks, the task size read from its task definition's ARN", () => {
            const service = resource("aws:ecs/service:Service", "metadata", {
                name: "mlp-dev-metadata",
                launchType: "FARGATE",
                desiredCount: 2,
                taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/mlp-dev-metadata:1",
            });
            const item = itemOf(service, [taskDefinition]);
            expect(item.monthlyIdle).to.equal(cents(2 * taskHourly * HOURS));
            expect(item.monthlyMax).to.equal(item.monthlyIdle);
        });

        it("an autoscaled service costs its minimum idle and its maximum at most, the task definition found by dependency", () => {
            const service = resource("aws:ecs/service:Service", "metadata", { name: "mlp-dev-metadata", launchType: "FARGATE", desiredCount: 2 }, { taskDefinition: [taskDefinition.urn] });
            const target = resource(
                "aws:appautoscaling/target:Target",
                "metadata-scaling",
                { resourceId: "service/mlp-dev-cluster/mlp-dev-metadata", scalableDimension: "ecs:service:DesiredCount", serviceNamespace: "ecs", minCapacity: 1, maxCapacity: 4 },
                { resourceId: [service.urn] },
            );
            const item = itemOf(service, [taskDefinition, target]);
            expect(item.monthlyIdle).to.equal(cents(1 * taskHourly * HOURS));
            expect(item.monthlyMax).to.equal(cents(4 * taskHourly * HOURS));
        });

        it("a Fargate service whose task definition is missing is an error, not a zero", () => {
            const service = resource("aws:ecs/service:Service", "metadata", { launchType: "FARGATE", desiredCount: 1, taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/other:1" });
            expect(() => estimateStackCost([service], "us-east-1")).to.throw(/'metadata' runs on Fargate/);
        });

        it("a Multi-AZ RDS instance doubles instance and storage, plus its managed secret", () => {
            const db = resource("aws:rds/instance:Instance", "metadata-db", {
                engine: "postgres",
                instanceClass: "db.t4g.small",
                multiAz: true,
                allocatedStorage: 20,
                storageType: "gp3",
                manageMasterUserPassword: true,
            });
            const item = itemOf(db);
            const expected = 2 * P.rds.postgresHourly["db.t4g.small"] * HOURS + 2 * 20 * P.rds.storageGbMonth.gp3 + P.rds.managedMasterSecretMonthly;
            expect(item.monthlyIdle).to.equal(cents(expected));
        });

        it("an Aurora Serverless v2 instance costs the cluster's min ACUs idle and max ACUs at most", () => {
            const cluster = resource("aws:rds/cluster:Cluster", "metadata-db", {
                engine: "aurora-postgresql",
                clusterIdentifier: "mlp-dev-metadata",
                serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 },
            });
            const instance = resource("aws:rds/clusterInstance:ClusterInstance", "metadata-db-1", { clusterIdentifier: "mlp-dev-metadata", instanceClass: "db.serverless", engine: "aurora-postgresql" });
            const item = itemOf(instance, [cluster]);
            expect(item.monthlyIdle).to.equal(cents(0.5 * P.aurora.serverlessV2AcuHourly.aurora * HOURS));
            expect(item.monthlyMax).to.equal(cents(4 * P.aurora.serverlessV2AcuHourly.aurora * HOURS));
        });

        it("an on-demand DynamoDB table and an SNS topic cost nothing idle", () => {
            expect(itemOf(resource("aws:dynamodb/table:Table", "runs", { billingMode: "PAY_PER_REQUEST", hashKey: "id" })).monthlyIdle).to.equal(0);
            expect(itemOf(resource("aws:sns/topic:Topic", "alerts", {})).monthlyIdle).to.equal(0);
        });

        it("a notebook instance costs its hours and its volume", () => {
            const item = itemOf(resource("aws:sagemaker/notebookInstance:NotebookInstance", "alice", { instanceType: "ml.t3.medium", volumeSize: 10, roleArn: "arn" }));
            expect(item.monthlyIdle).to.equal(cents(P.sagemaker.instanceHourly["ml.t3.medium"] * HOURS + 10 * P.sagemaker.storageGbMonth));
        });

        it("an unknown notebook instance type is an error naming it", () => {
            expect(() => estimateStackCost([resource("aws:sagemaker/notebookInstance:NotebookInstance", "bob", { instanceType: "ml.x9.huge", roleArn: "arn" })], "us-east-1")).to.throw(
                /'ml\.x9\.huge'/,
            );
        });

        it("keys, secrets, alarms and dashboards cost their monthly prices", () => {
            expect(itemOf(resource("aws:kms/key:Key", "key", {})).monthlyIdle).to.equal(P.kms.keyMonthly);
            expect(itemOf(resource("aws:secretsmanager/secret:Secret", "secret", {})).monthlyIdle).to.equal(P.secretsManager.secretMonthly);
            expect(itemOf(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { period: 300, metricName: "CPUUtilization" })).monthlyIdle).to.equal(P.cloudwatch.alarmMetricMonthly.standard);
            expect(itemOf(resource("aws:cloudwatch/dashboard:Dashboard", "board", { dashboardBody: "{}" })).monthlyIdle).to.equal(P.cloudwatch.dashboardMonthly);
        });
    });

    describe("stack estimate", () => {
        it("sums the items, leaves unpriced types out and names the region", () => {
            const resources = [
                resource("aws:ec2/natGateway:NatGateway", "nat-a", {}),
                resource("aws:kms/key:Key", "key", {}),
                resource("aws:iam/role:Role", "role", { assumeRolePolicy: "{}" }),
                computeEnvironment("cpu-spot", { type: "SPOT", instanceTypes: ["m7i.xlarge"], maxVcpus: 32 }),
            ];
            const estimate = estimateStackCost(resources, "us-east-1");
            expect(estimate.items.map((i) => i.name)).to.deep.equal(["nat-a", "key", "cpu-spot"]);
            expect(estimate.region).to.equal("us-east-1");
            expect(estimate.monthlyIdle).to.equal(cents(P.vpc.natGatewayHourly * HOURS + P.kms.keyMonthly));
            expect(estimate.monthlyMax).to.equal(cents(estimate.items.reduce((s, i) => s + i.monthlyMax, 0)));
        });

        it("a region without prices is an error naming it, also when a resource sets its own region", () => {
            expect(() => estimateStackCost([resource("aws:kms/key:Key", "key", {})], "eu-west-1")).to.throw(/'eu-west-1'/);
            expect(() => estimateStackCost([resource("aws:kms/key:Key", "key", { region: "ap-south-1" })], "us-east-1")).to.throw(/'ap-south-1'/);
        });

        it("prices the platform's resource types", () => {
            for (const type of [CE, "aws:ec2/natGateway:NatGateway", "aws:ecs/service:Service", "aws:rds/instance:Instance", "aws:sagemaker/notebookInstance:NotebookInstance"]) {
                expect(PRICED_RESOURCE_TYPES).to.include(type);
            }
        });
    });
});
