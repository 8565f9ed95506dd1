/**
 * The platform's one tagging scheme. Tags reach resources through the explicit AWS provider's
 * `defaultTags`; `tagsFor` exists for the few places defaultTags cannot reach (Batch compute
 * resources, launch template tag specifications, Auto Scaling groups), so that instances and volumes
 * launched by AWS on our behalf carry the same tags.
 */

/** Tag keys every taggable resource must carry. The `required-tags` policy reads the same list. */
export const REQUIRED_TAG_KEYS = ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"] as const;

export type RequiredTagKey = (typeof REQUIRED_TAG_KEYS)[number];

/** The values behind the required tags, resolved from stack config. */
export interface TagContext {
    readonly project: string;
    readonly environment: string;
    readonly owner: string;
    readonly costCenter: string;
    /** Extra tags from config; they may not override a required key. */
    readonly extraTags?: Readonly<Record<string, string>>;
}

/** AWS limits: keys up to 128 characters, values up to 256, from this character set. */
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** The full tag set for a stack: required tags first, then the extra tags. */
export function platformTags(ctx: TagContext): Record<string, string> {
    const required: Record<RequiredTagKey, string> = {
        Project: ctx.project,
        Environment: ctx.environment,
        Owner: ctx.owner,
        CostCenter: ctx.costCenter,
        ManagedBy: "pulumi",
    };
    return { ...(ctx.extraTags ?? {}), ...required };
}

/** Tags for one resource: the platform's tags plus a `Component` tag naming the part it belongs to. */
export function tagsFor(tags: Readonly<Record<string, string>>, component: string): Record<string, string> {
    return { ...tags, Component: component };
}
