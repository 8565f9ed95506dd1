import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aliasRecord, allowAwsApis, allowIn, allowOut, encryptedLogGroup, fargateService, fargateTaskDefinition, ipTargetGroup, securityGroup, serviceRole, TLS_POLICY } from "./building-blocks";
import { DB_PORT } from "./database";
import { UI_BACKEND_CONTAINER, UI_BACKEND_PORT, UI_STATIC_CONTAINER, UI_STATIC_PORT, uiBackendContainer, uiStaticContainer, type DbConnection } from "./containers";
import { executionRoleStatements, uiBackendTaskStatements, type Datastore } from "./iam";
import type { CognitoAuth, OidcAuthSettings, UiSettings } from "./types";

export interface OidcAuth extends OidcAuthSettings {
    /** The OIDC client secret (a Pulumi secret; the listener keeps it encrypted in state). */
    readonly clientSecret: pulumi.Input<string>;
}

/** Who the UI load balancer lets in: users signed in with Cognito or an OIDC provider. */
export type UiAuth = CognitoAuth | OidcAuth;

export interface MetadataUiArgs extends UiSettings {
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidrBlock: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly clusterArn: pulumi.Input<string>;
    /** The metadata database, its security group and the key its secret is encrypted with. */
    readonly db: DbConnection;
    readonly dbSecurityGroupId: pulumi.Input<string>;
    readonly dbSecretKmsKeyArn: pulumi.Input<string>;
    /** The Metaflow datastore the UI backend reads artifacts, logs and cards from. */
    readonly datastore: Datastore;
    /** Sign-in on the listener; required when `public`. @default none */
    readonly auth?: UiAuth;
    readonly region: pulumi.Input<string>;
    readonly logGroupName: string;
    readonly logRetentionDays: number;
    readonly logKmsKeyArn: pulumi.Input<string>;
    /** Run on Fargate Spot. @default false */
    readonly spot?: boolean;
    /** What must exist before the UI starts (the schema migration). */
    readonly prerequisites?: pulumi.Input<pulumi.Resource>[];
}

/** The listener's sign-in step, run before every forward. */
function authAction(auth: UiAuth): aws.types.input.lb.ListenerDefaultAction {
    if (auth.type === "cognito") {
        return {
            type: "authenticate-cognito",
            order: 1,
            authenticateCognito: { userPoolArn: auth.userPoolArn, userPoolClientId: auth.userPoolClientId, userPoolDomain: auth.userPoolDomain, onUnauthenticatedRequest: "authenticate" },
        };
    }
    return {
        type: "authenticate-oidc",
        order: 1,
        authenticateOidc: {
            issuer: auth.issuer,
            authorizationEndpoint: auth.authorizationEndpoint,
            tokenEndpoint: auth.tokenEndpoint,
            userInfoEndpoint: auth.userInfoEndpoint,
            clientId: auth.clientId,
            clientSecret: auth.clientSecret,
            onUnauthenticatedRequest: "authenticate",
        },
    };
}

/**
 * The Metaflow UI: the static app and the UI backend as Fargate services behind an HTTPS load
 * balancer that routes `/api/*` to the backend. Internal by default; an internet-facing one requires
 * sign-in on the listener and accepts only the allowed CIDRs.
 */
export class MetadataUi extends pulumi.ComponentResource {
    /** `https://<domainName>`. */
    public readonly url: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly backendService: aws.ecs.Service;
    public readonly staticService: aws.ecs.Service;

    constructor(name: string, args: MetadataUiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:metadata:Ui", name, {}, opts);
        if (args.public && (!args.auth || args.allowedCidrs.length === 0 || args.publicSubnetIds.length === 0)) {
            throw new pulumi.ResourceError("an internet-facing UI needs sign-in (auth), an allow-list of CIDRs and public subnets", this);
        }
        const child: pulumi.CustomResourceOptions = { parent: this };

        const lbSg = securityGroup(`${name}-lb`, args.vpcId, "Metaflow UI load balancer", child);
        const staticSg = securityGroup(`${name}-static`, args.vpcId, "Metaflow UI static app tasks", child);
        const backendSg = securityGroup(`${name}-backend`, args.vpcId, "Metaflow UI backend tasks", child);
        if (!args.public) allowIn(`${name}-lb-from-vpc`, lbSg.id, 443, { cidr: args.vpcCidrBlock }, "HTTPS from the VPC", child);
        args.allowedCidrs.forEach((cidr, i) => allowIn(`${name}-lb-from-allowed-${i}`, lbSg.id, 443, { cidr }, `HTTPS from allowed range ${cidr}`, child));
        allowOut(`${name}-lb-to-static`, lbSg.id, UI_STATIC_PORT, { securityGroupId: staticSg.id }, "UI static app", child);
        allowOut(`${name}-lb-to-backend`, lbSg.id, UI_BACKEND_PORT, { securityGroupId: backendSg.id }, "UI backend", child);
        // The listener's sign-in exchanges codes with the identity provider's endpoints over HTTPS.
        if (args.auth) allowAwsApis(`${name}-lb`, lbSg.id, child);
        allowIn(`${name}-static-from-lb`, staticSg.id, UI_STATIC_PORT, { securityGroupId: lbSg.id }, "UI load balancer", child);
        allowIn(`${name}-backend-from-lb`, backendSg.id, UI_BACKEND_PORT, { securityGroupId: lbSg.id }, "UI load balancer", child);
        const backendToDb = allowOut(`${name}-backend-to-db`, backendSg.id, DB_PORT, { securityGroupId: args.dbSecurityGroupId }, "Metadata database", child);
        const dbFromBackend = allowIn(`${name}-db-from-backend`, args.dbSecurityGroupId, DB_PORT, { securityGroupId: backendSg.id }, "Metaflow UI backend", child);
        allowAwsApis(`${name}-static`, staticSg.id, child);
        allowAwsApis(`${name}-backend`, backendSg.id, child);

        const logs = encryptedLogGroup(`${name}-logs`, args.logGroupName, args.logRetentionDays, args.logKmsKeyArn, child);
        const backendExecution = serviceRole(
            `${name}-backend-execution`,
            "ecs-tasks.amazonaws.com",
            executionRoleStatements({ logGroupArn: logs.arn, images: [args.backendImage], region: args.region, dbSecret: { arn: args.db.secretArn, kmsKeyArn: args.dbSecretKmsKeyArn } }),
            child,
        );
        const backendTask = serviceRole(`${name}-backend-task`, "ecs-tasks.amazonaws.com", uiBackendTaskStatements(args.datastore, args.region), child);
        const staticExecution = serviceRole(`${name}-static-execution`, "ecs-tasks.amazonaws.com", executionRoleStatements({ logGroupArn: logs.arn, images: [args.staticImage], region: args.region }), child);
        // The static app calls no AWS API: its task role carries no permissions.
        const staticTask = serviceRole(`${name}-static-task`, "ecs-tasks.amazonaws.com", [], child);

        const log = (streamPrefix: string) => ({ group: logs.name, region: args.region, streamPrefix });
        const backendDefinition = fargateTaskDefinition(
            `${name}-backend-task`,
            {
                family: `${name}-backend`,
                cpu: args.backendCpu,
                memory: args.backendMemory,
                containers: [uiBackendContainer(args.backendImage, args.db, log("backend"), args.datastore.root)],
                executionRoleArn: backendExecution.arn,
                taskRoleArn: backendTask.arn,
            },
            child,
        );
        const staticDefinition = fargateTaskDefinition(
            `${name}-static-task`,
            { family: `${name}-static`, cpu: 256, memory: 512, containers: [uiStaticContainer(args.staticImage, log("static"))], executionRoleArn: staticExecution.arn, taskRoleArn: staticTask.arn },
            child,
        );

        const lb = new aws.lb.LoadBalancer(
            `${name}-lb`,
            {
                loadBalancerType: "application",
                internal: !args.public,
                subnets: args.public ? [...args.publicSubnetIds] : args.privateSubnetIds,
                securityGroups: [lbSg.id],
                dropInvalidHeaderFields: true,
            },
            child,
        );
        const staticTg = ipTargetGroup(`${name}-static-tg`, args.vpcId, UI_STATIC_PORT, "/", child);
        const backendTg = ipTargetGroup(`${name}-backend-tg`, args.vpcId, UI_BACKEND_PORT, "/api/ping", child);
        const signIn = args.auth ? [authAction(args.auth)] : [];
        const listener = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: lb.arn,
                port: 443,
                protocol: "HTTPS",
                certificateArn: args.tls.certificateArn,
                sslPolicy: TLS_POLICY,
                defaultActions: [...signIn, { type: "forward", order: 2, targetGroupArn: staticTg.arn }],
            },
            child,
        );
        const apiRule = new aws.lb.ListenerRule(
            `${name}-api-rule`,
            {
                listenerArn: listener.arn,
                priority: 10,
                conditions: [{ pathPattern: { values: ["/api/*"] } }],
                actions: [...signIn, { type: "forward", order: 2, targetGroupArn: backendTg.arn }],
            },
            child,
        );
        if (args.tls.hostedZoneId) aliasRecord(`${name}-dns`, args.tls.hostedZoneId, args.tls.domainName, lb, child);

        const common = { clusterArn: args.clusterArn, desiredCount: args.desiredCount, subnetIds: args.privateSubnetIds, spot: args.spot ?? false };
        this.backendService = fargateService(
            `${name}-backend`,
            { ...common, taskDefinitionArn: backendDefinition.arn, securityGroupIds: [backendSg.id], targetGroupArn: backendTg.arn, containerName: UI_BACKEND_CONTAINER, containerPort: UI_BACKEND_PORT },
            { parent: this, dependsOn: [apiRule, backendToDb, dbFromBackend, ...(args.prerequisites ?? [])] },
        );
        this.staticService = fargateService(
            `${name}-static`,
            { ...common, taskDefinitionArn: staticDefinition.arn, securityGroupIds: [staticSg.id], targetGroupArn: staticTg.arn, containerName: UI_STATIC_CONTAINER, containerPort: UI_STATIC_PORT },
            { parent: this, dependsOn: [listener, ...(args.prerequisites ?? [])] },
        );

        this.url = pulumi.output(`https://${args.tls.domainName}`);
        this.loadBalancerArnSuffix = lb.arnSuffix;
        this.registerOutputs({ url: this.url, loadBalancerArnSuffix: this.loadBalancerArnSuffix });
    }
}
