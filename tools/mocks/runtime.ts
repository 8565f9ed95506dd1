/**
 * Runs a Pulumi program in-process under mocks and records every resource the way the engine would
 * see it: type, name, URN, parent, provider, inputs and the options that matter to policies
 * (protect, retainOnDelete, ignoreChanges...). Used by the tests and by the offline plan.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { mockInvoke, mockResourceState } from "./values";

// Internal SDK entry points: the public setMocks hides the registration request (parent, protect,
// provider), which policies and the plan need; these are the same calls setMocks makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean, organization?: string): void;
    waitForRPCs(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
    deserializeProperties(struct: unknown): Record<string, unknown>;
    specialSigKey: string;
    specialSecretSig: string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackModule = require("@pulumi/pulumi/runtime/stack") as { runInPulumiStack(init: () => Promise<unknown>): Promise<unknown> };

export const STACK_TYPE = "pulumi:pulumi:Stack";
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
/** How secret values are shown in every report. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly custom: boolean;
    /** URN of the provider resource, or null for the default provider / components. */
    readonly provider: string | null;
    /** Inputs with secrets unwrapped, as policies see them. */
    readonly inputs: Record<string, any>;
    /** Inputs with secret values replaced by "[secret]", for reports. */
    readonly displayInputs: Record<string, any>;
    /** Outputs the mock returned (id, arn, computed names). */
    readonly state: Record<string, any>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: string[];
    readonly additionalSecretOutputs: string[];
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
}

export interface StackReferenceFixture {
    readonly outputs: Record<string, unknown>;
    readonly secretOutputNames?: readonly string[];
}

export interface MockRunOptions {
    readonly project: string;
    readonly stack: string;
    /** Flat Pulumi config, `ml-platform:key` → string (objects as JSON), as `pulumi up` passes it. */
    readonly config: Record<string, string>;
    readonly secretKeys?: readonly string[];
    /** Outputs of referenced stacks, by full stack name (`org/project/stack`). */
    readonly stackReferences?: Readonly<Record<string, StackReferenceFixture>>;
    readonly preview?: boolean;
}

export interface MockRunResult<T> {
    readonly resources: RecordedResource[];
    /** Stack outputs with secrets unwrapped. */
    readonly outputs: T;
    /** Stack outputs with secret values replaced by "[secret]". */
    readonly displayOutputs: unknown;
    /** Dotted paths of the outputs that are secret. */
    readonly secretOutputs: string[];
    /** Names of the stack references the program read. */
    readonly stackReferencesRead: string[];
}

function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
}

/** Secret wrappers from the wire format, unwrapped (for policies) or redacted (for reports). */
function unwrapSecrets(v: unknown, redact: boolean): any {
    if (isSecretValue(v)) return redact ? SECRET_PLACEHOLDER : unwrapSecrets(v.value, redact);
    if (Array.isArray(v)) return v.map((x) => unwrapSecrets(x, redact));
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x, redact)]));
    }
    return v;
}

function providerUrn(ref: string): string | null {
    if (!ref) return null;
    const i = ref.lastIndexOf("::");
    return i > 0 ? ref.slice(0, i) : ref;
}

// newUrn is private in the SDK's typings; the recorder overrides it to match the engine's URNs.
const BaseMonitor = MockMonitor as unknown as new (mocks: pulumi.runtime.Mocks) => {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: unknown, callback: unknown): Promise<void>;
    readResource(req: unknown, callback: unknown): Promise<void>;
    getRegisteredResources(): Map<string, { urn: string; id: string | null; state: Record<string, unknown> }>;
};

class RecordingMonitor extends BaseMonitor {
    readonly recorded: RecordedResource[] = [];
    readonly referencesRead: string[] = [];

    newUrn(parent: string, type: string, name: string): string {
        // The engine leaves the root stack out of child URNs' type chains.
        const parentIsStack = parent && parent.split("::")[2] === STACK_TYPE;
        return super.newUrn(parentIsStack ? "" : parent, type, name);
    }

    async registerResource(req: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
        const type: string = req.getType();
        const name: string = req.getName();
        const urn = this.newUrn(req.getParent(), type, name);
        const wire = rpc.deserializeProperties(req.getObject());
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        this.recorded.push({
            urn,
            type,
            name,
            parent: req.getParent() || null,
            custom: req.getCustom(),
            provider: providerUrn(req.getProvider()),
            inputs: unwrapSecrets(wire, false),
            displayInputs: unwrapSecrets(wire, true),
            state: {},
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            deleteBeforeReplace: req.getDeletebeforereplace() === true,
            ignoreChanges: req.getIgnorechangesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
        });
        return super.registerResource(req, callback);
    }

    async readResource(req: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
        if (req.getType() === STACK_REFERENCE_TYPE) this.referencesRead.push(req.getId());
        return super.readResource(req, callback);
    }
}

/** Resolves every Output in a returned value, keeping track of which paths are secret. */
async function resolveDeep(v: unknown, path: string, secrets: string[]): Promise<{ plain: unknown; display: unknown }> {
    if (pulumi.Output.isInstance(v)) {
        const out = v as pulumi.Output<unknown>;
        const secret = await pulumi.isSecret(out);
        const inner: unknown = await (out as any).promise(true);
        if (secret) {
            secrets.push(path);
            const { plain } = await resolveDeep(inner, path, []);
            return { plain, display: SECRET_PLACEHOLDER };
        }
        return resolveDeep(inner, path, secrets);
    }
    if (v instanceof Promise) return resolveDeep(await v, path, secrets);
    if (pulumi.Resource.isInstance(v)) return resolveDeep((v as pulumi.Resource).urn, path, secrets);
    if (Array.isArray(v)) {
        const parts = await Promise.all(v.map((x, i) => resolveDeep(x, `${path}[${i}]`, secrets)));
        return { plain: parts.map((p) => p.plain), display: parts.map((p) => p.display) };
    }
    if (typeof v === "object" && v !== null) {
        const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolveDeep(x, path ? `${path}.${k}` : k, secrets)] as const));
        return {
            plain: Object.fromEntries(entries.map(([k, p]) => [k, p.plain])),
            display: Object.fromEntries(entries.map(([k, p]) => [k, p.display])),
        };
    }
    return { plain: v, display: v };
}

/**
 * Runs `program` as the body of a fresh mocked stack and returns what it registered and exported.
 * Only one run may be in flight at a time: the Pulumi runtime state is process-global.
 */
export async function runUnderMocks<T>(opts: MockRunOptions, program: () => Promise<T> | T): Promise<MockRunResult<T>> {
    const region = opts.config["aws:region"] ?? "us-east-1";
    const references = opts.stackReferences ?? {};
    const monitor = new RecordingMonitor({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            if (args.type === STACK_REFERENCE_TYPE) {
                const fixture = references[args.inputs.name];
                if (!fixture) throw new Error(`Stack reference '${args.inputs.name}' has no fixture (known: ${Object.keys(references).join(", ") || "none"}).`);
                return { id: args.inputs.name, state: { name: args.inputs.name, outputs: fixture.outputs, secretOutputNames: fixture.secretOutputNames ?? [] } };
            }
            return mockResourceState(args.type, args.name, args.inputs, region);
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return mockInvoke(args.token, args.inputs, region);
        },
    });
    settings.setMockOptions(monitor, opts.project, opts.stack, opts.preview ?? false);
    Object.assign(state.getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
    });
    pulumi.runtime.setAllConfig(opts.config, [...(opts.secretKeys ?? [])]);

    let returned: T | undefined;
    await stackModule.runInPulumiStack(async () => {
        returned = await program();
        return {};
    });
    const secretOutputs: string[] = [];
    const { plain, display } = await resolveDeep(returned ?? {}, "", secretOutputs);
    await settings.waitForRPCs();

    const states = monitor.getRegisteredResources();
    const resources = monitor.recorded.map((r) => {
        const s = states.get(r.urn)?.state;
        return { ...r, state: s && r.custom ? unwrapSecrets(s, false) : {} };
    });
    return { resources, outputs: plain as T, displayOutputs: display, secretOutputs, stackReferencesRead: monitor.referencesRead };
}
