/**
 * What the platform needs from the upstream stacks (shared/contracts/*.outputs.json), as data: each
 * required output with its shape and why it is needed, so that a stack that does not publish it is
 * reported by name, with the stack and the reason, before anything is built on it.
 */

export type OutputShape = "string" | "stringList" | "port";

export interface RequiredOutput {
    readonly name: string;
    readonly shape: OutputShape;
    /** What the platform uses it for, as it reads after "required by ml-platform for". */
    readonly purpose: string;
}

/** Outputs of the A01 data lake stack the platform requires. */
export const DATA_LAKE_OUTPUTS: readonly RequiredOutput[] = [
    { name: "vpcId", shape: "string", purpose: "the VPC its compute, services and workspaces run in" },
    { name: "vpcCidrBlock", shape: "string", purpose: "security group rules that admit traffic from inside the VPC" },
    { name: "privateSubnetIds", shape: "stringList", purpose: "the private subnets compute and services are placed in" },
    { name: "availabilityZones", shape: "stringList", purpose: "spreading compute and services over zones" },
    { name: "rawBucketName", shape: "string", purpose: "read access to the raw data bucket" },
    { name: "rawBucketArn", shape: "string", purpose: "IAM grants on the raw data bucket" },
    { name: "curatedBucketName", shape: "string", purpose: "read access to the curated data bucket" },
    { name: "curatedBucketArn", shape: "string", purpose: "IAM grants on the curated data bucket" },
    { name: "dataLakeKmsKeyArn", shape: "string", purpose: "decrypting data lake objects" },
    { name: "glueDatabaseName", shape: "string", purpose: "the Glue catalog database flows query" },
];

/** Outputs of the A02 Dask stack the platform requires. */
export const DASK_OUTPUTS: readonly RequiredOutput[] = [
    { name: "schedulerAddress", shape: "string", purpose: "flows that connect to the Dask scheduler" },
    { name: "schedulerPort", shape: "port", purpose: "the rule that lets Batch jobs reach the scheduler" },
    { name: "clusterSecurityGroupId", shape: "string", purpose: "the ingress rule on the Dask cluster's security group" },
];

const EXPECTED: Record<OutputShape, string> = {
    string: "a non-empty string",
    // The platform spreads over at least two zones; a one-subnet network would make it single-zone.
    stringList: "a list of at least two non-empty strings",
    port: "a TCP port number (1-65535)",
};

function fits(value: unknown, shape: OutputShape): boolean {
    switch (shape) {
        case "string":
            return typeof value === "string" && value.trim() !== "";
        case "stringList":
            return Array.isArray(value) && value.length >= 2 && value.every((v) => typeof v === "string" && v.trim() !== "");
        case "port":
            return toPort(value) !== undefined;
    }
}

/** A port published as a number or a digit string, or undefined when it is neither. */
export function toPort(value: unknown): number | undefined {
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** One line per required output that `stack` does not publish or publishes in the wrong shape. */
export function contractProblems(stack: string, outputs: Readonly<Record<string, unknown>>, required: readonly RequiredOutput[]): string[] {
    return required.flatMap(({ name, shape, purpose }) => {
        const value = outputs[name];
        if (value === undefined || value === null) return [`stack ${stack} does not publish '${name}' (required by ml-platform for ${purpose})`];
        if (!fits(value, shape)) {
            return [`stack ${stack} publishes '${name}' as ${JSON.stringify(value)}, but ml-platform needs ${EXPECTED[shape]} (for ${purpose})`];
        }
        return [];
    });
}

export class UpstreamContractError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: readonly string[],
    ) {
        super(problems.length === 1 ? problems[0] : `stack ${stack} does not meet the contract ml-platform relies on:\n  ${problems.join("\n  ")}`);
        this.name = "UpstreamContractError";
    }
}
