/**
 * Policy config schemas and their TypeScript types from one source: a policy declares its
 * properties once with `policyConfig({...})` and gets both the JSON schema CrossGuard validates and
 * a typed reader for `args.getConfig()`.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

interface Described {
    readonly description: string;
}

export type SchemaProperty =
    | (Described & { readonly type: "string"; readonly default?: string; readonly enum?: readonly string[] })
    | (Described & { readonly type: "number" | "integer"; readonly default?: number; readonly minimum?: number; readonly maximum?: number })
    | (Described & { readonly type: "boolean"; readonly default?: boolean })
    | (Described & { readonly type: "array"; readonly items: { readonly type: "string" }; readonly default?: readonly string[] })
    | (Described & { readonly type: "object"; readonly additionalProperties: { readonly type: "number" }; readonly default?: Readonly<Record<string, number>> });

export type ConfigOf<P extends Record<string, SchemaProperty>> = {
    readonly [K in keyof P]: P[K] extends { type: "string" }
        ? string
        : P[K] extends { type: "number" | "integer" }
          ? number
          : P[K] extends { type: "boolean" }
            ? boolean
            : P[K] extends { type: "array" }
              ? readonly string[]
              : P[K] extends { type: "object" }
                ? Readonly<Record<string, number>>
                : never;
};

export interface PolicyConfig<P extends Record<string, SchemaProperty>> {
    readonly schema: PolicyConfigSchema;
    /** The policy's config with schema defaults applied (the engine applies them before the call). */
    read(args: { getConfig<T extends object>(): T }): ConfigOf<P>;
}

export function policyConfig<const P extends Record<string, SchemaProperty>>(properties: P): PolicyConfig<P> {
    const schema = { properties: properties as unknown as PolicyConfigSchema["properties"] };
    return {
        schema,
        read(args) {
            const given = args.getConfig<Record<string, unknown>>();
            const withDefaults: Record<string, unknown> = {};
            for (const [key, prop] of Object.entries(properties)) withDefaults[key] = given[key] ?? prop.default;
            return withDefaults as ConfigOf<P>;
        },
    };
}
