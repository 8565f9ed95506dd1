/**
 * Reading resource props as policies see them at preview: inputs only, provider config beside them.
 */
import { UnknownValueError, type PolicyProviderResource, type PolicyResource, type ResourceValidation } from "@pulumi/policy";

/** Provider config arrives JSON-encoded for object values (`defaultTags`); accept both forms. */
function decode(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** The provider's `defaultTags.tags`, which AWS applies to every taggable resource it creates. */
export function providerDefaultTags(provider: PolicyProviderResource | undefined): Record<string, string> {
    const defaultTags = decode(provider?.props?.defaultTags) as { tags?: Record<string, string> } | undefined;
    return { ...(defaultTags?.tags ?? {}) };
}

/** The tags a resource ends up with: the provider's default tags, overridden by its own `tags`. */
export function effectiveTags(props: Record<string, any>, provider: PolicyProviderResource | undefined): Record<string, string> {
    return { ...providerDefaultTags(provider), ...((props.tags as Record<string, string> | undefined) ?? {}) };
}

/** Parses an IAM or bucket policy document given as a JSON string or an object. */
export function parsePolicyDocument(doc: unknown): { Statement: Record<string, any>[] } | undefined {
    const parsed = decode(doc);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const statement = (parsed as { Statement?: unknown }).Statement;
    if (statement === undefined) return undefined;
    return { Statement: (Array.isArray(statement) ? statement : [statement]) as Record<string, any>[] };
}

/** A JSON-string input (container definitions, policy documents) parsed, or undefined when it is not JSON. */
export function parseJsonInput<T = unknown>(value: unknown): T | undefined {
    if (typeof value !== "string") return value as T | undefined;
    try {
        return JSON.parse(value) as T;
    } catch {
        return undefined;
    }
}

/**
 * A resource validation for one type token, the pack's provider-free `validateResourceOfType`: it
 * carries `__pulumiType` as the SDK's helper does, so the engine skips other types without a call.
 */
export function validateType(type: string, validate: ResourceValidation): ResourceValidation {
    const fn: ResourceValidation = (args, reportViolation) =>
        args.type === type ? validate(args, reportViolation) : args.notApplicable(`Policy only applies to resources of type '${type}'`);
    return Object.assign(fn, { __pulumiType: type });
}

/** The same validation for each of several type tokens. */
export function validateTypes(types: readonly string[], validate: ResourceValidation): ResourceValidation[] {
    return types.map((t) => validateType(t, validate));
}

/**
 * A value that may still be unknown in a preview, or undefined when it is. The engine's props throw
 * on reading an unknown value, which skips the whole policy; a stack policy reads through this so
 * that one resource created in the same update does not blind it to all the others.
 */
export function ifKnown<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/** A string-or-list IAM field as a list. */
export function asList(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * The companion resources that configure `target` through an input named `key` (S3 bucket
 * sub-resources, security group rules...): matched by the input's property dependency, which works
 * even while the value is unknown in a preview, and otherwise by value.
 */
export function companionsOf(resources: readonly PolicyResource[], type: string, key: string, target: PolicyResource, targetValues: readonly unknown[]): PolicyResource[] {
    return resources.filter((r) => {
        if (r.type !== type) return false;
        if ((r.propertyDependencies[key] ?? []).some((d) => d.urn === target.urn)) return true;
        // In a preview the companion's input may still be unknown: then only the dependency can match.
        const value = ifKnown(() => r.props[key]);
        return value !== undefined && targetValues.includes(value);
    });
}
