/**
 * One estimator per priced resource type, keyed by type token. Types not listed here have no cost
 * of their own (IAM, security groups, S3 configuration...); usage charges are not estimated.
 */
import { batchComputeEnvironment, ec2Instance, ecsService, eksCluster, eksNodeGroup } from "./compute";
import { auroraCluster, auroraClusterInstance, dynamodbTable, rdsInstance } from "./database";
import { compositeAlarm, dashboard, httpApi, kmsKey, lambdaFunction, logGroup, metricAlarm, restApi, secret, snsTopic, ssmParameter, stateMachine, webAcl } from "./managed";
import { elasticIp, hostedZone, loadBalancer, natGateway, vpcEndpoint } from "./network";
import { regionPrices, type RegionPrices } from "./prices";
import { notebookInstance, studioApp, studioDomain, studioSpace } from "./sagemaker";
import type { CostItem, CostedResource, Estimate } from "./types";

export { regionPrices } from "./prices";

/** Figures for one resource; undefined when this particular resource costs nothing of its own. */
export type Estimator = (r: CostedResource, p: RegionPrices, region: string, all: readonly CostedResource[]) => Estimate | undefined;

const ESTIMATORS: Record<string, Estimator> = {
    // compute
    "aws:batch/computeEnvironment:ComputeEnvironment": batchComputeEnvironment,
    "aws:ec2/instance:Instance": ec2Instance,
    "aws:eks/cluster:Cluster": eksCluster,
    "aws:eks/nodeGroup:NodeGroup": eksNodeGroup,
    "aws:ecs/service:Service": ecsService,
    // network
    "aws:ec2/natGateway:NatGateway": natGateway,
    "aws:ec2/eip:Eip": elasticIp,
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:alb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
    "aws:route53/zone:Zone": hostedZone,
    // databases
    "aws:rds/instance:Instance": rdsInstance,
    "aws:rds/cluster:Cluster": auroraCluster,
    "aws:rds/clusterInstance:ClusterInstance": auroraClusterInstance,
    "aws:dynamodb/table:Table": dynamodbTable,
    // workspaces
    "aws:sagemaker/notebookInstance:NotebookInstance": notebookInstance,
    "aws:sagemaker/app:App": studioApp,
    "aws:sagemaker/domain:Domain": studioDomain,
    "aws:sagemaker/space:Space": studioSpace,
    // managed services
    "aws:kms/key:Key": kmsKey,
    "aws:kms/replicaKey:ReplicaKey": kmsKey,
    "aws:secretsmanager/secret:Secret": secret,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metricAlarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": compositeAlarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logGroup:LogGroup": logGroup,
    "aws:sns/topic:Topic": snsTopic,
    "aws:ssm/parameter:Parameter": ssmParameter,
    "aws:apigateway/restApi:RestApi": restApi,
    "aws:apigatewayv2/api:Api": httpApi,
    "aws:sfn/stateMachine:StateMachine": stateMachine,
    "aws:lambda/function:Function": lambdaFunction,
    "aws:wafv2/webAcl:WebAcl": webAcl,
};

/** The resource types the cost model prices. */
export const PRICED_RESOURCE_TYPES: readonly string[] = Object.keys(ESTIMATORS);

/** Prices one resource in its own region (`props.region`) or the stack's; undefined when it has no cost of its own. */
export function estimateResource(r: CostedResource, region: string, all: readonly CostedResource[]): CostItem | undefined {
    const estimator = ESTIMATORS[r.type];
    if (!estimator) return undefined;
    const where = typeof r.props.region === "string" && r.props.region ? r.props.region : region;
    const estimate = estimator(r, regionPrices(where), where, all);
    return estimate && { urn: r.urn, type: r.type, name: r.name, ...estimate };
}
