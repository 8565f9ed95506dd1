/**
 * The upstream stacks, read through StackReferences named by config: the A01 data lake (network,
 * buckets, key, catalog) and the A02 Dask cluster. Every required output is checked against the
 * contract in upstream-contracts.ts, so a missing one fails with the stack, the output and the reason
 * instead of surfacing later as an unknown value in some resource.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformNetwork } from "../components/network";
import type { PlatformConfig } from "./config";
import { contractProblems, DASK_OUTPUTS, DATA_LAKE_OUTPUTS, toPort, UpstreamContractError, type RequiredOutput } from "./upstream-contracts";

export interface DataLakeRefs {
    readonly rawBucketName: pulumi.Output<string>;
    readonly rawBucketArn: pulumi.Output<string>;
    readonly curatedBucketName: pulumi.Output<string>;
    readonly curatedBucketArn: pulumi.Output<string>;
    /** The key the data lake buckets are encrypted with. */
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly glueDatabaseName: pulumi.Output<string>;
}

export interface DaskRefs {
    /** `tcp://host:port` of the Dask scheduler, as flows pass it to `distributed.Client`. */
    readonly schedulerAddress: pulumi.Output<string>;
    readonly schedulerPort: pulumi.Output<number>;
    readonly clusterSecurityGroupId: pulumi.Output<string>;
}

export interface Upstream {
    /** The A01 network, when a data lake stack is configured; otherwise the platform builds its own. */
    readonly network?: PlatformNetwork;
    readonly dataLake?: DataLakeRefs;
    readonly dask?: DaskRefs;
}

/** One upstream stack and the outputs it must publish. */
class ContractedStack {
    private readonly checked: pulumi.Output<true>;

    constructor(
        private readonly ref: pulumi.StackReference,
        stack: string,
        required: readonly RequiredOutput[],
    ) {
        // The check reads every output at once; its result carries no values, so a secret output
        // elsewhere in the stack does not make every required output secret.
        this.checked = pulumi.unsecret(
            ref.outputs.apply((outputs) => {
                const problems = contractProblems(stack, outputs ?? {}, required);
                if (problems.length > 0) throw new UpstreamContractError(stack, problems);
                return true as const;
            }),
        );
    }

    /** A required output, once the whole contract is known to hold; secret if the stack marks it so. */
    require<T>(name: string): pulumi.Output<T> {
        return this.checked.apply(() => this.ref.requireOutput(name) as pulumi.Output<T>);
    }
}

export function readUpstream(config: PlatformConfig): Upstream {
    // One reference per stack name, even if both keys name the same stack.
    const references = new Map<string, pulumi.StackReference>();
    const contracted = (stack: string, required: readonly RequiredOutput[]): ContractedStack => {
        let ref = references.get(stack);
        if (!ref) {
            ref = new pulumi.StackReference(stack);
            references.set(stack, ref);
        }
        return new ContractedStack(ref, stack, required);
    };

    const lake = config.dataLakeStack ? contracted(config.dataLakeStack, DATA_LAKE_OUTPUTS) : undefined;
    const dask = config.daskStack ? contracted(config.daskStack, DASK_OUTPUTS) : undefined;
    return {
        network: lake && {
            vpcId: lake.require("vpcId"),
            vpcCidrBlock: lake.require("vpcCidrBlock"),
            privateSubnetIds: lake.require("privateSubnetIds"),
            availabilityZones: lake.require("availabilityZones"),
        },
        dataLake: lake && {
            rawBucketName: lake.require("rawBucketName"),
            rawBucketArn: lake.require("rawBucketArn"),
            curatedBucketName: lake.require("curatedBucketName"),
            curatedBucketArn: lake.require("curatedBucketArn"),
            kmsKeyArn: lake.require("dataLakeKmsKeyArn"),
            glueDatabaseName: lake.require("glueDatabaseName"),
        },
        dask: dask && {
            schedulerAddress: dask.require("schedulerAddress"),
            // The contract accepts a digit string too; consumers always get a number.
            schedulerPort: dask.require<unknown>("schedulerPort").apply((port) => toPort(port) as number),
            clusterSecurityGroupId: dask.require("clusterSecurityGroupId"),
        },
    };
}
