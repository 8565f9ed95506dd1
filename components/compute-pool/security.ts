/**
 * The job security group's rules. Jobs accept no inbound connections; outbound they reach AWS APIs
 * and package indexes over HTTP(S) and services inside the VPC (metadata service, Dask). DNS, IMDS
 * and Amazon Time Sync are link-local and never filtered by security groups, so they need no rule.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface JobEgressScope {
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** The A02 Dask cluster's security group and scheduler port, when flows use it. */
    readonly dask?: { readonly clusterSecurityGroupId: pulumi.Input<string>; readonly schedulerPort: pulumi.Input<number> };
}

export function jobEgressRules(scope: JobEgressScope): aws.types.input.ec2.SecurityGroupEgress[] {
    const rules: aws.types.input.ec2.SecurityGroupEgress[] = [
        { description: "AWS APIs, ECR and package indexes over HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
        // Debian and Ubuntu mirrors serve signed packages over plain HTTP.
        { description: "Package mirrors over HTTP", protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
        { description: "Platform services inside the VPC", protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: [scope.vpcCidrBlock] },
    ];
    if (scope.dask) {
        const port = scope.dask.schedulerPort;
        rules.push({ description: "A02 Dask scheduler", protocol: "tcp", fromPort: port, toPort: port, securityGroups: [scope.dask.clusterSecurityGroupId] });
    }
    return rules;
}
