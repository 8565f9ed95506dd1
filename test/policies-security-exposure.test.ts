import { expect } from "chai";
import { unknownCheckingProxy } from "@pulumi/policy";
import { apiGatewayAuth, launchTemplateImdsv2, loadBalancerInternal, securityGroupNoPublicIngress } from "../policies/security";
import type { RecordedResource } from "../tools/mocks/runtime";
import { fakeResource } from "./helpers/policies";
import { check, expectCompliant, onlyViolation, withInputs } from "./helpers/security-fixtures";

/** How the engine marks a string input that is unknown during a preview. */
const UNKNOWN_STRING = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

describe("security policies", () => {
    describe("security-group-no-public-ingress", () => {
        const policyConfig = { "security-group-no-public-ingress": { publicLoadBalancers: ["ui-alb"] } };
        const lbSg = fakeResource("aws:ec2/securityGroup:SecurityGroup", "ui-alb-sg", { vpcId: "vpc-0abc", description: "UI load balancer" });
        const httpsIn = fakeResource(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "ui-alb-https",
            { securityGroupId: "sg-0ui", cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 },
            { propertyDependencies: { securityGroupId: [lbSg.urn] } },
        );
        const lb = fakeResource(
            "aws:lb/loadBalancer:LoadBalancer",
            "ui-alb",
            { internal: false, loadBalancerType: "application", securityGroups: ["sg-0ui"] },
            { propertyDependencies: { securityGroups: [lbSg.urn] } },
        );
        const dbSg = fakeResource("aws:ec2/securityGroup:SecurityGroup", "db-sg", {
            vpcId: "vpc-0abc",
            ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-0svc"] }],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        });
        const compliant = () => [lbSg, httpsIn, lb, dbSg];
        const check443 = (resources: RecordedResource[]) => check(securityGroupNoPublicIngress, resources, policyConfig);

        it("compliant: 443 from anywhere on a listed public load balancer, everything else from security groups", async () => {
            expect((await check443(compliant())).violations).to.deep.equal([]);
        });

        it("compliant: the load balancer's group matched by id when no dependency is recorded", async () => {
            const noDeps = compliant().map((r) => ({ ...r, propertyDependencies: {} }));
            expect((await check443(noDeps)).violations).to.deep.equal([]);
        });

        it("noncompliant: 443 open on a load balancer that config does not list", async () => {
            const result = await check(securityGroupNoPublicIngress, compliant());
            expect(onlyViolation(result, "security-group-no-public-ingress", httpsIn)).to.match(/allows port 443 from 0\.0\.0\.0\/0\. Restrict the source/);
        });

        it("noncompliant: port 80 on the public load balancer", async () => {
            const http = withInputs(httpsIn, { fromPort: 80, toPort: 80 });
            onlyViolation(await check443([lbSg, http, lb]), "security-group-no-public-ingress", http);
        });

        it("noncompliant: inline ingress on all protocols from 0.0.0.0/0", async () => {
            const bad = withInputs(dbSg, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
            expect(onlyViolation(await check443([lbSg, httpsIn, lb, bad]), "security-group-no-public-ingress", bad)).to.include("(inline ingress) allows all ports from 0.0.0.0/0");
        });

        it("preview: a rule whose source is still unknown is skipped, the others are still checked", async () => {
            const pending = { ...httpsIn, name: "pending", urn: `${httpsIn.urn}-pending`, inputs: unknownCheckingProxy({ ...httpsIn.inputs, fromPort: 5432, toPort: 5432, cidrIpv4: UNKNOWN_STRING }) };
            const previewLb = { ...lb, inputs: unknownCheckingProxy({ ...lb.inputs, securityGroups: [UNKNOWN_STRING] }) };
            const open = withInputs(httpsIn, { fromPort: 22, toPort: 22 });
            const result = await check443([lbSg, httpsIn, previewLb, pending, { ...open, name: "ssh", urn: `${open.urn}-ssh` }]);
            expect(result.violations.map((v) => v.urn)).to.deep.equal([`${open.urn}-ssh`]);
        });

        it("noncompliant: a SecurityGroupRule from ::/0, but not an egress rule", async () => {
            const ssh = fakeResource("aws:ec2/securityGroupRule:SecurityGroupRule", "ssh", { type: "ingress", securityGroupId: "sg-0db", protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] });
            const egress = fakeResource("aws:ec2/securityGroupRule:SecurityGroupRule", "out", { type: "egress", securityGroupId: "sg-0db", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
            expect(onlyViolation(await check443([...compliant(), ssh, egress]), "security-group-no-public-ingress", ssh)).to.include("allows port 22 from ::/0");
        });
    });

    describe("load-balancer-internal", () => {
        const lb = fakeResource("aws:lb/loadBalancer:LoadBalancer", "metadata-nlb", { internal: true, loadBalancerType: "network", name: "mlp-dev-metadata" });

        it("compliant: internal", async () => {
            await expectCompliant(loadBalancerInternal, [lb]);
        });

        it("noncompliant: internet-facing, and internal unset (the default is internet-facing)", async () => {
            for (const bad of [withInputs(lb, { internal: false }), withInputs(lb, { internal: undefined })]) {
                expect(onlyViolation(await check(loadBalancerInternal, [bad]), "load-balancer-internal", bad)).to.match(/is internet-facing.*publicLoadBalancers/);
            }
        });

        it("compliant: internet-facing when config lists it by Pulumi name or AWS name", async () => {
            const bad = withInputs(lb, { internal: false });
            await expectCompliant(loadBalancerInternal, [bad], { "load-balancer-internal": { publicLoadBalancers: ["metadata-nlb"] } });
            await expectCompliant(loadBalancerInternal, [bad], { "load-balancer-internal": { publicLoadBalancers: ["mlp-dev-metadata"] } });
        });

        it("noncompliant: an internet-facing aws.alb.LoadBalancer", async () => {
            const alb = fakeResource("aws:alb/loadBalancer:LoadBalancer", "ui-alb", { internal: false });
            onlyViolation(await check(loadBalancerInternal, [alb]), "load-balancer-internal", alb);
        });
    });

    describe("api-gateway-auth", () => {
        const method = fakeResource("aws:apigateway/method:Method", "metadata-proxy-any", { restApi: "api", resourceId: "res", httpMethod: "ANY", authorization: "NONE", apiKeyRequired: true });

        it("compliant: an API key, or an IAM authorizer", async () => {
            await expectCompliant(apiGatewayAuth, [method, withInputs(method, { apiKeyRequired: false, authorization: "AWS_IAM" })]);
        });

        it("noncompliant: no API key and no authorizer", async () => {
            const bad = withInputs(method, { apiKeyRequired: false });
            expect(onlyViolation(await check(apiGatewayAuth, [bad]), "api-gateway-auth", bad)).to.match(/\(ANY\) can be called without credentials\. Set apiKeyRequired: true/);
        });

        it("compliant: CORS preflight (OPTIONS) without credentials", async () => {
            await expectCompliant(apiGatewayAuth, [withInputs(method, { httpMethod: "OPTIONS", apiKeyRequired: false })]);
        });

        it("noncompliant: an HTTP API route without an authorizer; compliant with JWT", async () => {
            const route = fakeResource("aws:apigatewayv2/route:Route", "ui-route", { apiId: "api", routeKey: "GET /api/{proxy+}", authorizationType: "NONE" });
            expect(onlyViolation(await check(apiGatewayAuth, [route]), "api-gateway-auth", route)).to.include("(GET /api/{proxy+})");
            await expectCompliant(apiGatewayAuth, [withInputs(route, { authorizationType: "JWT" })]);
        });
    });

    describe("launch-template-imdsv2", () => {
        const template = fakeResource("aws:ec2/launchTemplate:LaunchTemplate", "batch-lt", { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 } });

        it("compliant: httpTokens required, or the metadata endpoint off", async () => {
            await expectCompliant(launchTemplateImdsv2, [template, withInputs(template, { metadataOptions: { httpEndpoint: "disabled" } })]);
        });

        it("noncompliant: httpTokens optional, and metadataOptions unset", async () => {
            for (const bad of [withInputs(template, { metadataOptions: { httpTokens: "optional" } }), withInputs(template, { metadataOptions: undefined })]) {
                expect(onlyViolation(await check(launchTemplateImdsv2, [bad]), "launch-template-imdsv2", bad)).to.match(/allows IMDSv1.*httpTokens: "required"/);
            }
        });

        it("noncompliant: an EC2 instance with IMDSv1", async () => {
            const instance = fakeResource("aws:ec2/instance:Instance", "bastion", { instanceType: "t4g.nano", metadataOptions: { httpTokens: "optional" } });
            onlyViolation(await check(launchTemplateImdsv2, [instance]), "launch-template-imdsv2", instance);
        });
    });
});
