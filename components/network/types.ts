import type * as pulumi from "@pulumi/pulumi";

/**
 * The network the platform runs in, whoever owns it: the standalone `Network` component or the A01
 * data lake stack (read through a stack reference). Everything else takes this, never a VPC resource.
 */
export interface PlatformNetwork {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidrBlock: pulumi.Output<string>;
    /** Private subnets, spread over `availabilityZones` (at least two zones). */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly availabilityZones: pulumi.Output<string[]>;
}
