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

/** Shown for a tag whose value is unknown in a preview: the tag is set, its value comes later. */
export const UNKNOWN_TAG_VALUE = "(known after the update)";

/** A tag map read key by key: a value still unknown in a preview counts as set. */
function tagsOf(tags: Record<string, unknown> | undefined): Record<string, string> {
    if (typeof tags !== "object" || tags === null) return {};
    return Object.fromEntries(Object.keys(tags).map((k) => [k, ifKnown(() => tags[k] as string) ?? UNKNOWN_TAG_VALUE]));
}

/** The provider's `defaultTags.tags`, which AWS applies to every taggable resource it creates. */
export function providerDefaultTags(provider: PolicyProviderResource | undefined): Record<string, string> {
    const defaultTags = decode(provider?.props?.defaultTags) as { tags?: Record<string, string> } | undefined;
    return tagsOf(defaultTags?.tags);
}

/** The tags a resource ends up with: the provider's default tags, overridden by its own `tags`. */
export function effectiveTags(props: Record<string, any>, provider: PolicyProviderResource | undefined): Record<string, string> {
    return { ...providerDefaultTags(provider), ...tagsOf(props.tags as Record<string, unknown> | undefined) };
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
    const result = tryRead(read);
    return result.known ? result.value : undefined;
}

/**
 * Runs a stack policy's `check` on each item. In a preview, an item whose check reads a value that
 * is still unknown is skipped alone (the update judges it), where the thrown error would make the
 * engine skip the whole policy for every resource.
 */
export function checkEach<T>(items: readonly T[], check: (item: T) => void): void {
    for (const item of items) {
        try {
            check(item);
        } catch (e) {
            if (!(e instanceof UnknownValueError)) throw e;
        }
    }
}

/**
 * Runs a resource policy's independent checks so that one reading a value still unknown in a
 * preview does not stop the others; the first such error is rethrown after them all, so the engine
 * still reports the check it could not run.
 */
export function runChecks(...checks: (() => void)[]): void {
    let unknown: unknown;
    for (const check of checks) {
        try {
            check();
        } catch (e) {
            if (!(e instanceof UnknownValueError)) throw e;
            unknown ??= e;
        }
    }
    if (unknown !== undefined) throw unknown;
}

/** A read that tells an unknown value (a preview) from an absent one. */
function tryRead<T>(read: () => T): { known: true; value: T } | { known: false } {
    try {
        return { known: true, value: read() };
    } catch (e) {
        if (e instanceof UnknownValueError) return { known: false };
        throw e;
    }
}

/**
 * Whether an input is set. A value that is unknown in a preview is set (to something the update
 * computes, a key ARN say); only an absent, null or empty one is not.
 */
export function isSet(props: Record<string, any>, key: string): boolean {
    if (!(key in props)) return false;
    const read = tryRead(() => props[key]);
    return !read.known || (read.value !== undefined && read.value !== null && read.value !== "");
}

/**
 * A deep copy of resource props with only the values known now. The engine's props throw on
 * reading a value that is unknown in a preview, so a whole-resource copy (a spread, JSON.stringify)
 * would stop the policy at the first one; this reads each field on its own and leaves the unknown
 * ones out, pushing their paths (`computeResources`, `subnetIds[1]`) to `unknown`.
 */
export function knownProps(props: Record<string, any>, unknown: string[] = []): Record<string, any> {
    return copyKnown(props, "", unknown) as Record<string, any>;
}

function copyKnown(value: unknown, path: string, unknown: string[]): unknown {
    if (typeof value !== "object" || value === null) return value;
    const copy: unknown[] | Record<string, unknown> = Array.isArray(value) ? [] : {};
    const source = value as Record<string, unknown>;
    // Object.keys does not read values, so it never trips on an unknown one.
    for (const key of Object.keys(source)) {
        const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        const read = tryRead(() => source[key]);
        if (!read.known) unknown.push(at);
        else if (Array.isArray(copy)) copy.push(copyKnown(read.value, at, unknown));
        else copy[key] = copyKnown(read.value, at, unknown);
    }
    return copy;
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
