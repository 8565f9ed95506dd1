import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument, PolicyStatement } from "../shared";
import { allowIn, allowOut, securityGroup } from "./building-blocks";
import type { ApiGatewaySettings } from "./types";

export interface MetadataApiGatewayArgs extends ApiGatewaySettings {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The internal load balancer in front of the service, its security group and listener port. */
    readonly loadBalancerArn: pulumi.Input<string>;
    readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
    readonly listenerPort: number;
    /** The load balancer URL the integration calls (`http://<dns>` or `https://<name>`). */
    readonly backendUrl: pulumi.Input<string>;
}

/**
 * Who may call the API, as a resource policy: a PRIVATE API only through the named VPC endpoints,
 * and either kind only from the allowed CIDRs. Undefined when there is nothing to restrict.
 */
export function apiResourcePolicy(s: Pick<ApiGatewaySettings, "endpointType" | "allowedCidrs" | "vpcEndpointIds">): PolicyDocument | undefined {
    const invoke = { Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" } as const;
    const denies: PolicyStatement[] = [];
    if (s.endpointType === "PRIVATE") {
        denies.push({ Sid: "OnlyThroughVpcEndpoints", Effect: "Deny", ...invoke, Condition: { StringNotEquals: { "aws:SourceVpce": [...s.vpcEndpointIds] } } });
    }
    if (s.allowedCidrs.length > 0) {
        // Through a VPC endpoint the caller's address is private and arrives as aws:VpcSourceIp.
        const key = s.endpointType === "PRIVATE" ? "aws:VpcSourceIp" : "aws:SourceIp";
        denies.push({ Sid: "OnlyFromAllowedCidrs", Effect: "Deny", ...invoke, Condition: { NotIpAddress: { [key]: [...s.allowedCidrs] } } });
    }
    if (denies.length === 0) return undefined;
    return { Version: "2012-10-17", Statement: [{ Sid: "Invoke", Effect: "Allow", ...invoke }, ...denies] };
}

/**
 * The metadata API for clients outside the VPC: a REST API whose every method requires an API key
 * (with a throttled usage plan), proxied to the internal load balancer through a VPC link. The link
 * (VPC link v2) reaches the ALB directly, so no network load balancer sits in between.
 */
export class MetadataApiGateway extends pulumi.ComponentResource {
    /** The stage's invoke URL: METAFLOW_SERVICE_URL. */
    public readonly url: pulumi.Output<string>;
    /** The API key clients send as `x-api-key`: METAFLOW_SERVICE_AUTH_KEY. */
    public readonly apiKey: pulumi.Output<string>;
    public readonly restApiId: pulumi.Output<string>;
    public readonly stageName: pulumi.Output<string>;

    constructor(name: string, args: MetadataApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:metadata:ApiGateway", name, {}, opts);
        if (args.endpointType === "PRIVATE" && args.vpcEndpointIds.length === 0) {
            throw new pulumi.ResourceError("a PRIVATE API needs at least one execute-api VPC endpoint", this);
        }
        const child: pulumi.CustomResourceOptions = { parent: this };

        const linkSg = securityGroup(`${name}-link`, args.vpcId, "API Gateway VPC link to the metadata load balancer", child);
        allowOut(`${name}-link-to-lb`, linkSg.id, args.listenerPort, { securityGroupId: args.loadBalancerSecurityGroupId }, "VPC link to the metadata load balancer", child);
        allowIn(`${name}-lb-from-link`, args.loadBalancerSecurityGroupId, args.listenerPort, { securityGroupId: linkSg.id }, "API Gateway VPC link", child);
        const link = new aws.apigatewayv2.VpcLink(`${name}-link`, { subnetIds: args.subnetIds, securityGroupIds: [linkSg.id] }, child);

        const api = new aws.apigateway.RestApi(
            `${name}-api`,
            {
                description: "Metaflow metadata service",
                endpointConfiguration: { types: args.endpointType, vpcEndpointIds: args.endpointType === "PRIVATE" ? [...args.vpcEndpointIds] : undefined },
                apiKeySource: "HEADER",
            },
            child,
        );
        const document = apiResourcePolicy(args);
        const policy = document && new aws.apigateway.RestApiPolicy(`${name}-policy`, { restApiId: api.id, policy: JSON.stringify(document) }, child);

        // "/" and "/{proxy+}" both forward the whole request; every method needs the API key.
        const proxy = new aws.apigateway.Resource(`${name}-proxy`, { restApi: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}" }, child);
        const routes = [
            { role: "root", resourceId: api.rootResourceId, path: "" },
            { role: "proxy", resourceId: proxy.id, path: "/{proxy}" },
        ];
        const parts = routes.flatMap(({ role, resourceId, path }) => {
            const isProxy = role === "proxy";
            const method = new aws.apigateway.Method(
                `${name}-${role}-any`,
                {
                    restApi: api.id,
                    resourceId,
                    httpMethod: "ANY",
                    authorization: "NONE",
                    apiKeyRequired: true,
                    requestParameters: isProxy ? { "method.request.path.proxy": true } : undefined,
                },
                child,
            );
            const integration = new aws.apigateway.Integration(
                `${name}-${role}-integration`,
                {
                    restApi: api.id,
                    resourceId,
                    httpMethod: method.httpMethod,
                    type: "HTTP_PROXY",
                    integrationHttpMethod: "ANY",
                    connectionType: "VPC_LINK",
                    connectionId: link.id,
                    integrationTarget: args.loadBalancerArn,
                    uri: pulumi.interpolate`${args.backendUrl}${path}`,
                    requestParameters: isProxy ? { "integration.request.path.proxy": "method.request.path.proxy" } : undefined,
                    passthroughBehavior: "WHEN_NO_MATCH",
                    timeoutMilliseconds: 29000,
                },
                child,
            );
            return [method, integration];
        });

        // A deployment is a snapshot: a changed route or resource policy takes effect only in a new one.
        const deployment = new aws.apigateway.Deployment(
            `${name}-deployment`,
            {
                restApi: api.id,
                description: "Metaflow metadata API",
                triggers: { routes: pulumi.jsonStringify(parts.map((p) => p.id)), policy: JSON.stringify(document ?? {}), backend: pulumi.output(args.backendUrl) },
            },
            { parent: this, dependsOn: [...parts, ...(policy ? [policy] : [])] },
        );
        const stage = new aws.apigateway.Stage(`${name}-stage`, { restApi: api.id, deployment: deployment.id, stageName: args.stageName }, child);

        const key = new aws.apigateway.ApiKey(`${name}-key`, { description: "Metaflow clients (METAFLOW_SERVICE_AUTH_KEY)", enabled: true }, child);
        const plan = new aws.apigateway.UsagePlan(
            `${name}-usage-plan`,
            {
                description: "Metaflow clients",
                apiStages: [{ apiId: api.id, stage: stage.stageName }],
                throttleSettings: { rateLimit: args.rateLimit, burstLimit: args.burstLimit },
            },
            child,
        );
        new aws.apigateway.UsagePlanKey(`${name}-usage-plan-key`, { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id }, child);

        this.url = stage.invokeUrl;
        this.apiKey = pulumi.secret(key.value);
        this.restApiId = api.id;
        this.stageName = stage.stageName;
        this.registerOutputs({ url: this.url, apiKey: this.apiKey, restApiId: this.restApiId, stageName: this.stageName });
    }
}
