/**
 * Network exposure: nothing accepts traffic from the internet except HTTPS on a load balancer that
 * the policy config names as public, load balancers are internal unless so named, and API Gateway
 * methods require credentials. The public list lives in the policy config, which security reviews,
 * not in stack config, which the platform team changes.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ifKnown, validateTypes } from "../lib/resources";
import { policyConfig } from "../lib/schema";

const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"];
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const INTERNET = ["0.0.0.0/0", "::/0"];
const HTTPS = 443;

const publicLoadBalancersProperty = {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Load balancers allowed to be internet-facing, by Pulumi resource name or AWS name; their security groups may accept port 443 from anywhere.",
} as const;

/** An ingress permission in any of its three shapes. */
interface Ingress {
    /** The resource that holds it: the group (inline rule) or the rule resource. */
    readonly holder: PolicyResource;
    readonly what: string;
    readonly sources: string[];
    readonly protocol: string;
    readonly fromPort?: number;
    readonly toPort?: number;
    /** The group's URN (dependency) and id (value) it belongs to, to find its load balancer. */
    readonly groupUrns: string[];
    readonly groupIds: unknown[];
}

type Permission = Pick<Ingress, "sources" | "protocol" | "fromPort" | "toPort">;

function ingressesOf(r: PolicyResource): Ingress[] {
    const p = r.props;
    // A permission whose source or ports are unknown (a preview) cannot be judged yet: skip it alone.
    const permission = (what: string, read: () => Permission, groupUrns: string[], groupIds: () => unknown[]): Ingress[] => {
        const known = ifKnown(read);
        return known ? [{ ...known, holder: r, what, groupUrns, groupIds: ifKnown(groupIds) ?? [] }] : [];
    };
    if (r.type === SECURITY_GROUP || r.type === DEFAULT_SECURITY_GROUP) {
        const rules = ifKnown(() => [...((p.ingress as Record<string, any>[] | undefined) ?? [])]) ?? [];
        return rules.flatMap((rule) =>
            permission(
                `Security group '${r.name}' (inline ingress)`,
                () => ({ sources: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])], protocol: String(rule.protocol ?? ""), fromPort: rule.fromPort, toPort: rule.toPort }),
                [r.urn],
                () => [],
            ),
        );
    }
    const groupUrns = (r.propertyDependencies.securityGroupId ?? []).map((d) => d.urn);
    if (r.type === SECURITY_GROUP_RULE && ifKnown(() => p.type) === "ingress") {
        return permission(
            `Security group rule '${r.name}'`,
            () => ({ sources: [...(p.cidrBlocks ?? []), ...(p.ipv6CidrBlocks ?? [])], protocol: String(p.protocol ?? ""), fromPort: p.fromPort, toPort: p.toPort }),
            groupUrns,
            () => [p.securityGroupId],
        );
    }
    if (r.type === INGRESS_RULE) {
        return permission(
            `Security group ingress rule '${r.name}'`,
            () => ({ sources: [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string"), protocol: String(p.ipProtocol ?? ""), fromPort: p.fromPort, toPort: p.toPort }),
            groupUrns,
            () => [p.securityGroupId],
        );
    }
    return [];
}

function isAllProtocols(protocol: string): boolean {
    return protocol === "-1" || protocol.toLowerCase() === "all";
}

function portsOf(i: Ingress): string {
    if (isAllProtocols(i.protocol)) return "all ports";
    return i.fromPort === i.toPort ? `port ${i.fromPort}` : `ports ${i.fromPort}-${i.toPort}`;
}

function isHttpsOnly(i: Ingress): boolean {
    return ["tcp", "6"].includes(i.protocol.toLowerCase()) && i.fromPort === HTTPS && i.toPort === HTTPS;
}

/** Whether config lists the load balancer as public, by its Pulumi name or its AWS name. */
function isListedPublic(lb: { name: string; props: Record<string, any> }, allowed: readonly string[]): boolean {
    const awsName = ifKnown(() => lb.props.name);
    return allowed.includes(lb.name) || (typeof awsName === "string" && allowed.includes(awsName));
}

/** Whether the load balancer uses the ingress's group, by dependency (works in previews) or by id. */
function usesGroup(lb: PolicyResource, i: Ingress): boolean {
    if ((lb.propertyDependencies.securityGroups ?? []).some((d) => i.groupUrns.includes(d.urn))) return true;
    const ids = ifKnown(() => [...((lb.props.securityGroups as unknown[] | undefined) ?? [])]) ?? [];
    return i.groupIds.some((id) => id !== undefined && ids.includes(id));
}

export const securityGroupNoPublicIngressConfig = policyConfig({ publicLoadBalancers: publicLoadBalancersProperty });

export const securityGroupNoPublicIngress: StackValidationPolicy = {
    name: "security-group-no-public-ingress",
    description: "Checks whether security groups accept no ingress from 0.0.0.0/0 or ::/0, except port 443 on a load balancer that config marks public.",
    configSchema: securityGroupNoPublicIngressConfig.schema,
    validateStack: (args, reportViolation) => {
        const { publicLoadBalancers } = securityGroupNoPublicIngressConfig.read(args);
        const publicLbs = args.resources.filter((r) => LOAD_BALANCER_TYPES.includes(r.type) && isListedPublic(r, publicLoadBalancers));
        for (const ingress of args.resources.flatMap(ingressesOf)) {
            const open = ingress.sources.filter((s) => INTERNET.includes(s));
            if (open.length === 0) continue;
            if (isHttpsOnly(ingress) && publicLbs.some((lb) => usesGroup(lb, ingress))) continue;
            reportViolation(
                `${ingress.what} allows ${portsOf(ingress)} from ${open.join(" and ")}. ` +
                    "Restrict the source to the VPC CIDR or a security group; only port 443 on a load balancer listed in this policy's publicLoadBalancers may be open to the internet.",
                ingress.holder.urn,
            );
        }
    },
};

export const loadBalancerInternalConfig = policyConfig({ publicLoadBalancers: publicLoadBalancersProperty });

export const loadBalancerInternal: ResourceValidationPolicy = {
    name: "load-balancer-internal",
    description: "Checks whether load balancers are internal, unless config lists them as public.",
    configSchema: loadBalancerInternalConfig.schema,
    validateResource: validateTypes(LOAD_BALANCER_TYPES, (args, reportViolation) => {
        const { publicLoadBalancers } = loadBalancerInternalConfig.read(args);
        if (args.props.internal === true || isListedPublic(args, publicLoadBalancers)) return;
        reportViolation(
            `Load balancer '${args.name}' is internet-facing (internal is not true). Set internal: true, ` +
                "or, if it must serve the internet, add its name to publicLoadBalancers in this environment's policy config.",
        );
    }),
};

/** Authorization types that identify the caller. */
const REST_AUTHORIZATIONS = ["AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"];
const ROUTE_AUTHORIZATIONS = ["AWS_IAM", "JWT", "CUSTOM"];

export const apiGatewayAuth: ResourceValidationPolicy = {
    name: "api-gateway-auth",
    description: "Checks whether API Gateway methods and routes require an API key or an authorizer (IAM, Cognito, JWT or custom); CORS preflight (OPTIONS) is exempt.",
    validateResource: validateTypes(["aws:apigateway/method:Method", "aws:apigatewayv2/route:Route"], (args, reportViolation) => {
        const p = args.props;
        const rest = args.type === "aws:apigateway/method:Method";
        const verb = rest ? String(p.httpMethod ?? "") : String(p.routeKey ?? "").split(" ")[0];
        // Browsers send CORS preflight requests without credentials; they must stay open.
        if (verb.toUpperCase() === "OPTIONS") args.notApplicable("CORS preflight requests carry no credentials");
        const authorization = String((rest ? p.authorization : p.authorizationType) ?? "NONE").toUpperCase();
        if (p.apiKeyRequired === true || (rest ? REST_AUTHORIZATIONS : ROUTE_AUTHORIZATIONS).includes(authorization)) return;
        const fix = rest ? 'Set apiKeyRequired: true or authorization "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM"' : 'Set authorizationType "AWS_IAM", "JWT" or "CUSTOM"';
        reportViolation(`API Gateway ${rest ? "method" : "route"} '${args.name}' (${rest ? verb : p.routeKey}) can be called without credentials. ${fix} on it.`);
    }),
};

export const exposurePolicies = [securityGroupNoPublicIngress, loadBalancerInternal, apiGatewayAuth];
