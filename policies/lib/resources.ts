/**
 * Reading resource props as policies see them at preview: inputs only, provider config beside them.
 */
import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";

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
        const value = r.props[key];
        return value !== undefined && targetValues.includes(value);
    });
}
