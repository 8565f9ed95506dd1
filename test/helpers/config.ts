/**
 * Config test helpers: a committed stack's real config, changed in one place, and the issues that
 * validation reports for it. Every helper returns a fresh copy, so a test may change what it gets.
 */
import { ConfigError, decodeRawConfig, parsePlatformConfig, type ConfigIssue, type PlatformConfig, type RawConfig } from "../../stacks/config";
import { REPO_ROOT } from "../../tools/plan/plan";
import { loadStackFiles } from "../../tools/plan/stack-files";

/** A committed stack's config, as Pulumi passes it to the program (objects decoded). */
export function stackConfig(stack: string): Record<string, any> {
    return decodeRawConfig(loadStackFiles(REPO_ROOT, stack).config);
}

/** A committed stack's config, validated and typed. */
export function platformConfig(stack: string): PlatformConfig {
    return parsePlatformConfig(stackConfig(stack), stack);
}

/** Every issue validation reports for `raw` read as `stack`; none when it is accepted. */
export function issuesOf(raw: RawConfig, stack = "dev"): ConfigIssue[] {
    try {
        parsePlatformConfig(raw, stack);
    } catch (e) {
        if (e instanceof ConfigError) return [...e.issues];
        throw e;
    }
    return [];
}

/** The key paths of some issues. */
export function pathsOf(issues: readonly ConfigIssue[]): string[] {
    return issues.map((i) => i.path);
}

/** The key paths validation rejects in `raw` read as `stack`. */
export function rejectedPaths(raw: RawConfig, stack = "dev"): string[] {
    return pathsOf(issuesOf(raw, stack));
}

/** A stack's config with one top-level key replaced, or removed with `undefined`. */
export function withKey(key: string, value: unknown, stack = "dev"): Record<string, any> {
    const raw = stackConfig(stack);
    if (value === undefined) delete raw[key];
    else raw[key] = value;
    return raw;
}

/** A stack's config with some fields of one top-level block replaced, the others kept. */
export function withFields(key: string, fields: Record<string, unknown>, stack = "dev"): Record<string, any> {
    const raw = stackConfig(stack);
    return { ...raw, [key]: { ...(raw[key] as object), ...fields } };
}

/** A stack's config with `change` applied to one top-level block (nested values included). */
export function withBlock(key: string, change: (block: any) => void, stack = "dev"): Record<string, any> {
    const raw = stackConfig(stack);
    change(raw[key]);
    return raw;
}
