/**
 * Reading an ml-platform stack from another team's Pulumi program, typed:
 *
 *     import { mlPlatformOutputs } from "ml-platform/stacks/consumer";
 *     const platform = mlPlatformOutputs("acme/ml-platform/prod");
 *     const queue = platform.get("gpuQueueArn");          // pulumi.Output<string>
 *     const ui = platform.get("uiUrl");                   // pulumi.Output<string | undefined>
 *
 * A required output the stack does not publish fails the reading program with the stack, the output
 * and the outputs version, instead of surfacing later as `undefined` in some resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { OPTIONAL_OUTPUTS, OUTPUTS_VERSION, type StackOutputName, type StackOutputs } from "./outputs";

export type { MetaflowConfig, StackOutputName, StackOutputs } from "./outputs";
export { OUTPUTS_VERSION, STACK_OUTPUT_NAMES } from "./outputs";

export class MissingStackOutputError extends Error {
    constructor(
        readonly stack: string,
        readonly output: string,
        /** The `outputsVersion` the stack publishes, if any. */
        readonly publishedVersion: unknown,
    ) {
        const published = publishedVersion === undefined ? "publishes no outputsVersion" : `publishes outputsVersion ${JSON.stringify(publishedVersion)}`;
        super(
            `Stack '${stack}' has no output '${output}'. This reader expects ml-platform outputsVersion ${OUTPUTS_VERSION}; the stack ${published}. ` +
                `Update that stack to a release with outputsVersion ${OUTPUTS_VERSION}, or check the stack name.`,
        );
        this.name = "MissingStackOutputError";
    }
}

/** The outputs of one ml-platform stack, read through a StackReference. */
export class MlPlatformOutputs {
    private readonly ref: pulumi.StackReference;

    /**
     * @param stackName fully qualified stack name, `org/ml-platform/<env>`
     * @param opts options of the StackReference (e.g. a parent)
     */
    constructor(
        readonly stackName: string,
        opts?: pulumi.CustomResourceOptions,
    ) {
        // A name of its own, so a program that also references the stack directly has no clash.
        this.ref = new pulumi.StackReference(`ml-platform-outputs-${stackName}`, { name: stackName }, opts);
    }

    /** One output, typed; secret when the stack marks it so. Optional outputs may be undefined. */
    get<K extends StackOutputName>(name: K): pulumi.Output<StackOutputs[K]> {
        const value = this.ref.getOutput(name);
        return pulumi.all([value, this.ref.getOutput("outputsVersion")]).apply(([v, version]) => {
            if (v === undefined && !OPTIONAL_OUTPUTS[name]) throw new MissingStackOutputError(this.stackName, name, version);
            return v as StackOutputs[K];
        });
    }
}

/** `new MlPlatformOutputs(stackName, opts)`. */
export function mlPlatformOutputs(stackName: string, opts?: pulumi.CustomResourceOptions): MlPlatformOutputs {
    return new MlPlatformOutputs(stackName, opts);
}
