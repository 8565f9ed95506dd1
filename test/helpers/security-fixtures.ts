/**
 * Shared fixtures for the security policy tests: a compliant resource changed one input at a time,
 * one policy evaluated with its own config entry, and the single-violation / compliant assertions.
 */
import { expect } from "chai";
import type { Policy } from "@pulumi/policy";
import type { RecordedResource } from "../../tools/mocks/runtime";
import type { Evaluation, PolicyPackConfigFile } from "../../tools/policy/evaluate";
import { evaluate } from "./policies";

export const ACCOUNT = "123456789012";
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;

/** A compliant resource with some inputs replaced, for one noncompliant case. */
export function withInputs(r: RecordedResource, inputs: Record<string, unknown>): RecordedResource {
    return { ...r, inputs: { ...r.inputs, ...inputs } };
}

/** One policy over the resources, with its own entry of `config` (so one config can serve several policies). */
export async function check(policy: Policy, resources: RecordedResource[], config: PolicyPackConfigFile = {}): Promise<Evaluation> {
    const own = config[policy.name];
    return evaluate([policy], resources, own === undefined ? {} : { [policy.name]: own });
}

/** The policy's single violation: on this resource's URN, naming the resource; returns the message. */
export function onlyViolation(result: Evaluation, policy: string, resource: RecordedResource): string {
    expect(result.violations.map((v) => `${v.policy}: ${v.message}`)).to.have.length(1);
    const [v] = result.violations;
    expect(v).to.include({ policy, urn: resource.urn, level: "mandatory" });
    expect(v.message).to.include(`'${resource.name}'`);
    return v.message;
}

export async function expectCompliant(policy: Policy, resources: RecordedResource[], config: PolicyPackConfigFile = {}): Promise<void> {
    expect((await check(policy, resources, config)).violations.map((v) => v.message)).to.deep.equal([]);
}
