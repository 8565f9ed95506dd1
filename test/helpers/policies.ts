/**
 * Policy test helpers: evaluate a policy over recorded or hand-built resources exactly as the plan
 * does, and build single resources from a compliant base with one property changed.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import type { RecordedResource } from "../../tools/mocks/runtime";
import { evaluatePolicies, type Evaluation, type PolicyPackConfigFile } from "../../tools/policy/evaluate";
import { TEST_TAGS } from "./mocks";

export const TEST_PROVIDER_URN = "urn:pulumi:dev::ml-platform::pulumi:providers:aws::aws";

/** The stack's provider as a recorded resource, with the platform's default tags. */
export function providerResource(tags: Record<string, string> = TEST_TAGS): RecordedResource {
    return fakeResource("pulumi:providers:aws", "aws", { region: "us-east-1", defaultTags: JSON.stringify({ tags }) }, { provider: null });
}

/** A recorded resource built by hand, for policy unit tests. */
export function fakeResource(
    type: string,
    name: string,
    inputs: Record<string, any>,
    extra: Partial<Omit<RecordedResource, "type" | "name" | "inputs">> = {},
): RecordedResource {
    return {
        urn: `urn:pulumi:dev::ml-platform::${type}::${name}`,
        type,
        name,
        parent: null,
        custom: true,
        provider: TEST_PROVIDER_URN,
        inputs,
        displayInputs: inputs,
        state: {},
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        dependencies: [],
        propertyDependencies: {},
        ...extra,
    };
}

/** Runs the policies at `mandatory` (unless the config says otherwise) over the resources. */
export function evaluate(policies: Policies, resources: readonly RecordedResource[], config: PolicyPackConfigFile = {}, packLevel: EnforcementLevel = "mandatory"): Promise<Evaluation> {
    return evaluatePolicies(policies, resources, config, packLevel);
}

/** The messages one policy reported. */
export function messagesOf(evaluation: Evaluation, policy: string): string[] {
    return evaluation.violations.filter((v) => v.policy === policy).map((v) => v.message);
}
