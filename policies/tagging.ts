/**
 * Tagging: every taggable AWS resource carries the cost-allocation and ownership tags, counting the
 * tags the provider adds through `defaultTags`.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import taggable from "./data/taggable-types.json";
import { effectiveTags } from "./lib/resources";
import { policyConfig } from "./lib/schema";

const TAGGABLE = new Set(taggable.types);

export const requiredTagsConfig = policyConfig({
    requiredTags: {
        type: "array",
        items: { type: "string" },
        default: ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"],
        description: "Tag keys every taggable AWS resource must carry with a non-empty value.",
    },
});

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: "Checks whether every taggable AWS resource carries the required tags (its own or the provider's defaultTags).",
    configSchema: requiredTagsConfig.schema,
    validateResource: (args, reportViolation) => {
        if (!TAGGABLE.has(args.type)) args.notApplicable(`'${args.type}' takes no tags`);
        const { requiredTags: keys } = requiredTagsConfig.read(args);
        const tags = effectiveTags(args.props, args.provider);
        const missing = keys.filter((k) => typeof tags[k] !== "string" || tags[k].trim() === "");
        if (missing.length > 0) {
            reportViolation(
                `${args.type} '${args.name}' is missing the tag(s) ${missing.join(", ")}. ` +
                    "Create it with the stack's aws.Provider (whose defaultTags carry them) or set them in its `tags`.",
            );
        }
    },
};

export const taggingPolicies = [requiredTags];
