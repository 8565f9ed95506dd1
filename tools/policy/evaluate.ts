/**
 * Evaluates CrossGuard policy objects against recorded resources the way the Pulumi engine's policy
 * analyzer does: resource policies once per resource (inputs as props, the resource's provider,
 * `notApplicable`, typed `isType`/`asType`), stack policies once over every resource, each policy
 * with its enforcement level and config (schema defaults under the policy-pack config file's values).
 * It can also play a stack's first preview, where every input built from another resource's outputs
 * is still unknown and reading one skips the policy, as the engine does.
 */
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import type {
    EnforcementLevel,
    Policies,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../mocks/runtime";

/** The JSON that `pulumi up --policy-pack-config FILE` takes. */
export type PolicyPackConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Violation {
    readonly policy: string;
    readonly level: "mandatory" | "advisory";
    /** The resource in violation; absent for a stack-wide violation. */
    readonly urn?: string;
    readonly message: string;
    readonly description: string;
}

export interface NotApplicable {
    readonly policy: string;
    readonly urn?: string;
    readonly reason: string;
}

/** A policy the engine could not run during a preview because it read an unknown value. */
export interface SkippedInPreview {
    readonly policy: string;
    /** The enforcement level it would have run with. */
    readonly level: EnforcementLevel;
    /** The resource it was checking; absent for a stack policy (skipped for every resource). */
    readonly urn?: string;
    /** The engine's reason: which value was unknown. */
    readonly reason: string;
}

export interface Evaluation {
    readonly violations: Violation[];
    readonly notApplicable: NotApplicable[];
    /** The enforcement level each policy ran with. */
    readonly levels: Record<string, EnforcementLevel>;
    /** Policies that read an unknown value and did not run (also reported as advisory violations). */
    readonly skippedInPreview: SkippedInPreview[];
}

export interface EvaluateOptions {
    readonly stackTags?: ReadonlyMap<string, string>;
    /**
     * Play the stack's first preview: nothing exists yet, so every input built from another resource
     * of the stack (a non-empty property dependency) is unknown, and props throw on reading one.
     * Values from stack references stay known: the engine reads those before the preview.
     */
    readonly firstPreview?: boolean;
}

export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

class NotApplicableSignal extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableSignal(reason ?? "Policy does not apply");
}

function isStackPolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

function pulumiTypeOf(cls: unknown): string | undefined {
    return (cls as { __pulumiType?: string } | undefined)?.__pulumiType;
}

function matchesType(type: string, cls: unknown): boolean {
    const t = pulumiTypeOf(cls);
    if (t) return t === type;
    const isInstance = (cls as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && (isInstance as (o: unknown) => boolean)({ __pulumiType: type });
}

function jsonType(v: unknown): string {
    if (Array.isArray(v)) return "array";
    if (v === null) return "null";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    return typeof v;
}

/** Schema defaults under the config file's values, checked against the schema as the CLI does. */
export function resolvePolicyConfig(policyName: string, schema: PolicyConfigSchema | undefined, entry: PolicyPackConfigFile[string] | undefined): Record<string, unknown> {
    const given: Record<string, unknown> = typeof entry === "object" && entry !== null ? { ...entry } : {};
    delete given.enforcementLevel;
    const resolved: Record<string, unknown> = {};
    const properties = schema?.properties ?? {};
    for (const [key, prop] of Object.entries(properties)) {
        if ((prop as { default?: unknown }).default !== undefined) resolved[key] = (prop as { default?: unknown }).default;
    }
    for (const [key, value] of Object.entries(given)) {
        const prop = properties[key] as { type?: string | string[]; enum?: unknown[]; minimum?: number; maximum?: number } | undefined;
        if (!prop) {
            throw new PolicyConfigError(`policy config '${policyName}.${key}': unknown property; the policy takes ${Object.keys(properties).join(", ") || "no properties"}`);
        }
        const types = prop.type === undefined ? [] : Array.isArray(prop.type) ? prop.type : [prop.type];
        const actual = jsonType(value);
        if (types.length > 0 && !types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
            throw new PolicyConfigError(`policy config '${policyName}.${key}': got ${JSON.stringify(value)}; expected ${types.join(" or ")}`);
        }
        if (prop.enum && !prop.enum.includes(value)) {
            throw new PolicyConfigError(`policy config '${policyName}.${key}': got ${JSON.stringify(value)}; expected one of ${prop.enum.join(", ")}`);
        }
        if (typeof value === "number" && ((prop.minimum !== undefined && value < prop.minimum) || (prop.maximum !== undefined && value > prop.maximum))) {
            throw new PolicyConfigError(`policy config '${policyName}.${key}': got ${value}; expected a number from ${prop.minimum ?? "-inf"} to ${prop.maximum ?? "inf"}`);
        }
        resolved[key] = value;
    }
    for (const key of schema?.required ?? []) {
        if (resolved[key] === undefined) throw new PolicyConfigError(`policy config '${policyName}.${key}': missing; the policy requires it`);
    }
    return resolved;
}

/** The level a policy runs at: its entry in the config file, then `all`, then its own, then the pack's. */
export function enforcementLevelFor(policyName: string, own: EnforcementLevel | undefined, config: PolicyPackConfigFile, packLevel: EnforcementLevel): EnforcementLevel {
    const levelOf = (e: PolicyPackConfigFile[string] | undefined) => (typeof e === "string" ? e : e?.enforcementLevel);
    return levelOf(config[policyName]) ?? levelOf(config.all) ?? own ?? packLevel;
}

function policyOptions(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        deleteBeforeReplace: r.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: r.additionalSecretOutputs,
        parent: r.parent ?? undefined,
    };
}

const PROVIDER_PREFIX = "pulumi:providers:";

/** How the engine hands a policy an unknown value (of any type) in a preview. */
const UNKNOWN = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

/** A resource's inputs as a first preview sends them: those built from a resource being created are unknown. */
function firstPreviewInputs(r: RecordedResource, created: ReadonlySet<string>): Record<string, any> {
    const inputs = { ...r.inputs };
    for (const [key, deps] of Object.entries(r.propertyDependencies)) {
        if (key in inputs && deps.some((u) => created.has(u))) inputs[key] = UNKNOWN;
    }
    return inputs;
}

/**
 * Runs every policy over the resources. Policies with level `disabled` are skipped; `remediate` is
 * reported as mandatory (remediation cannot run offline), as the engine does for a still-failing
 * remediation.
 */
export async function evaluatePolicies(
    policies: Policies,
    resources: readonly RecordedResource[],
    config: PolicyPackConfigFile = {},
    packLevel: EnforcementLevel = "advisory",
    options: EvaluateOptions = {},
): Promise<Evaluation> {
    const stackTags = options.stackTags ?? new Map<string, string>();
    const known = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(config)) {
        if (key !== "all" && !known.has(key)) throw new PolicyConfigError(`policy config: unknown policy '${key}'; the pack has ${[...known].join(", ")}`);
    }
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Stack references are read, not recorded: only recorded custom resources are created by the update.
    const created = new Set(resources.filter((r) => r.custom).map((r) => r.urn));
    const propsOf = (r: RecordedResource): Record<string, any> => (options.firstPreview ? unknownCheckingProxy(firstPreviewInputs(r, created)) : r.inputs);
    const providerOf = (r: RecordedResource): PolicyProviderResource | undefined => {
        const p = r.provider ? byUrn.get(r.provider) : undefined;
        return p ? { type: p.type, props: propsOf(p), urn: p.urn, name: p.name } : undefined;
    };
    /** One resource as both resource and stack policies see it: inputs as props, its provider, typed `isType`/`asType`. */
    const viewOf = (r: RecordedResource) => {
        const props = propsOf(r);
        return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: policyOptions(r),
            provider: providerOf(r),
            isType: (cls: unknown) => matchesType(r.type, cls),
            asType: (cls: unknown) => (matchesType(r.type, cls) ? (props as never) : undefined),
        };
    };

    const policyResources = new Map<string, PolicyResource>();
    for (const r of resources) {
        policyResources.set(r.urn, { ...viewOf(r), dependencies: [], propertyDependencies: {} });
    }
    for (const r of resources) {
        const pr = policyResources.get(r.urn)!;
        pr.parent = r.parent ? policyResources.get(r.parent) : undefined;
        pr.dependencies = r.dependencies.map((u) => policyResources.get(u)).filter((x): x is PolicyResource => !!x);
        pr.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([k, us]) => [k, us.map((u) => policyResources.get(u)).filter((x): x is PolicyResource => !!x)]),
        );
    }

    const violations: Violation[] = [];
    const notApplicable: NotApplicable[] = [];
    const levels: Record<string, EnforcementLevel> = {};
    const skippedInPreview: SkippedInPreview[] = [];

    for (const policy of policies) {
        const level = enforcementLevelFor(policy.name, policy.enforcementLevel, config, packLevel);
        levels[policy.name] = level;
        if (level === "disabled") continue;
        const reportedLevel = level === "advisory" ? "advisory" : "mandatory";
        const policyConfig = resolvePolicyConfig(policy.name, policy.configSchema, config[policy.name]);
        const getConfig = <T extends object>() => ({ ...policyConfig }) as T;
        const report = (urn: string | undefined) => (message: string, reportedUrn?: string) =>
            violations.push({ policy: policy.name, level: reportedLevel, urn: reportedUrn ?? urn, message, description: policy.description });
        /** What the engine does with a policy that threw: not applicable, or an advisory "can't run" for an unknown value. */
        const caught = (e: unknown, urn: string | undefined): void => {
            if (e instanceof NotApplicableSignal) {
                notApplicable.push(urn === undefined ? { policy: policy.name, reason: e.reason } : { policy: policy.name, urn, reason: e.reason });
            } else if (e instanceof UnknownValueError) {
                const reason = (e as Error).message;
                skippedInPreview.push({ policy: policy.name, level, urn, reason });
                violations.push({ policy: policy.name, level: "advisory", urn, message: `can't run policy '${policy.name}' during preview: ${reason}`, description: policy.description });
            } else {
                throw e;
            }
        };

        if (isStackPolicy(policy)) {
            const args: StackValidationArgs = { resources: [...policyResources.values()], stackTags, getConfig, notApplicable: throwNotApplicable };
            try {
                await policy.validateStack(args, report(undefined));
            } catch (e) {
                caught(e, undefined);
            }
            continue;
        }
        const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const r of resources) {
            if (r.type.startsWith(PROVIDER_PREFIX)) continue;
            const args: ResourceValidationArgs = { ...viewOf(r), stackTags, getConfig, notApplicable: throwNotApplicable };
            for (const validate of validations) {
                const fixedType = pulumiTypeOf(validate);
                if (fixedType && fixedType !== r.type) continue;
                try {
                    await validate(args, report(r.urn));
                } catch (e) {
                    caught(e, r.urn);
                }
            }
        }
    }
    return { violations, notApplicable, levels, skippedInPreview };
}
