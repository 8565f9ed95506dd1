import * as pulumi from "@pulumi/pulumi";

/**
 * The one way tests read an Output: awaited, so a failed expectation fails the test. Never assert
 * inside `apply`.
 */
export async function resolve<T>(value: pulumi.Input<T> | undefined): Promise<T> {
    const out = pulumi.output(value) as pulumi.Output<T>;
    return (out as unknown as { promise(withUnknowns?: boolean): Promise<T> }).promise(true);
}
