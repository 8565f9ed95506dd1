/**
 * Reads raw stack config (the `config:` map of a `Pulumi.<stack>.yaml`, values already parsed from
 * YAML/JSON) into typed values. Every problem is collected with its key path, the bad value and what
 * is allowed; `finish()` throws them together as one ConfigError before any resource exists.
 */

export interface ConfigIssue {
    /** Full key path, e.g. `ml-platform:artifactStore.noncurrentVersionExpirationDays`. */
    readonly path: string;
    /** The offending value, or undefined when a required key is missing. */
    readonly value: unknown;
    /** What is allowed. */
    readonly expected: string;
}

export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly issues: readonly ConfigIssue[],
    ) {
        super(
            `Invalid configuration for stack '${stack}':\n` +
                issues
                    .map((i) => `  ${i.path}: ${i.value === undefined ? "missing" : `got ${show(i.value)}`}; expected ${i.expected}`)
                    .join("\n"),
        );
        this.name = "ConfigError";
    }
}

function show(value: unknown): string {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A raw config map: full key (`ml-platform:owner`, `aws:region`) to parsed value. */
export type RawConfig = Readonly<Record<string, unknown>>;

interface Bounds {
    readonly min?: number;
    readonly max?: number;
}

function describeBounds(kind: string, { min, max }: Bounds): string {
    if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
    if (min !== undefined) return `${kind} >= ${min}`;
    if (max !== undefined) return `${kind} <= ${max}`;
    return kind;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class ConfigReader {
    private readonly issues: ConfigIssue[] = [];

    constructor(
        private readonly raw: RawConfig,
        readonly stack: string,
    ) {}

    /** The node for a top-level key such as `ml-platform:artifactStore` or `aws:region`. */
    key(fullKey: string): ConfigNode {
        return new ConfigNode(this, fullKey, this.raw[fullKey]);
    }

    /** Flags keys in `namespace` that nothing reads: a misspelt key must not be silently ignored. */
    rejectUnknownKeys(namespace: string, known: readonly string[]): void {
        for (const key of Object.keys(this.raw)) {
            if (key.startsWith(`${namespace}:`) && !known.includes(key.slice(namespace.length + 1))) {
                this.report(key, this.raw[key], `one of the known keys: ${known.map((k) => `${namespace}:${k}`).join(", ")}`);
            }
        }
    }

    report(path: string, value: unknown, expected: string): void {
        this.issues.push({ path, value, expected });
    }

    /** Throws every collected issue at once. */
    finish(): void {
        if (this.issues.length > 0) throw new ConfigError(this.stack, this.issues);
    }
}

/** One value in the config tree, with its path for error messages. */
export class ConfigNode {
    constructor(
        private readonly reader: ConfigReader,
        readonly path: string,
        readonly value: unknown,
    ) {}

    get present(): boolean {
        return this.value !== undefined && this.value !== null;
    }

    /** Reports a problem with this value (for cross-field rules). */
    fail(expected: string, value: unknown = this.value): void {
        this.reader.report(this.path, value, expected);
    }

    /** The child at `key` of an object value; a non-object value is reported once. */
    get(key: string): ConfigNode {
        if (!this.present) return new ConfigNode(this.reader, `${this.path}.${key}`, undefined);
        if (!isPlainObject(this.value)) return new ConfigNode(this.reader, `${this.path}.${key}`, undefined);
        return new ConfigNode(this.reader, `${this.path}.${key}`, this.value[key]);
    }

    /** Checks that this is an object (when present) with no keys outside `known`. */
    object(known: readonly string[], required = false): this {
        if (!this.present) {
            if (required) this.fail("an object");
            return this;
        }
        if (!isPlainObject(this.value)) {
            this.fail(`an object with keys ${known.join(", ")}`);
            return this;
        }
        for (const key of Object.keys(this.value)) {
            if (!known.includes(key)) {
                this.reader.report(`${this.path}.${key}`, this.value[key], `a known key of ${this.path}: ${known.join(", ")}`);
            }
        }
        return this;
    }

    private missing<T>(def: T | undefined, kind: string, fallback: T): T {
        if (def === undefined) {
            this.fail(kind);
            return fallback;
        }
        return def;
    }

    string(opts: { default?: string; pattern?: RegExp; describe?: string; oneOf?: readonly string[] } = {}): string {
        const kind = opts.oneOf ? `one of ${opts.oneOf.map((v) => JSON.stringify(v)).join(", ")}` : (opts.describe ?? "a string");
        if (!this.present) return this.missing(opts.default, kind, "");
        const v = this.value;
        if (typeof v !== "string" || (opts.pattern && !opts.pattern.test(v)) || (opts.oneOf && !opts.oneOf.includes(v))) {
            this.fail(kind);
            return opts.default ?? "";
        }
        return v;
    }

    /** A string that may be absent; an empty string (a Pulumi.yaml default of "") counts as absent. */
    optionalString(opts: { pattern?: RegExp; describe?: string; oneOf?: readonly string[] } = {}): string | undefined {
        return this.present && this.value !== "" ? this.string(opts) : undefined;
    }

    /** A whole number. YAML may carry numbers as strings (`pulumi config set` does); both are read. */
    int(opts: { default?: number } & Bounds = {}): number {
        const kind = describeBounds("a whole number", opts);
        if (!this.present) return this.missing(opts.default, kind, 0);
        const v = typeof this.value === "string" && /^-?\d+$/.test(this.value) ? Number(this.value) : this.value;
        if (typeof v !== "number" || !Number.isInteger(v) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
            this.fail(kind);
            return opts.default ?? opts.min ?? 0;
        }
        return v;
    }

    number(opts: { default?: number } & Bounds = {}): number {
        const kind = describeBounds("a number", opts);
        if (!this.present) return this.missing(opts.default, kind, 0);
        const v = typeof this.value === "string" && this.value.trim() !== "" && !isNaN(Number(this.value)) ? Number(this.value) : this.value;
        if (typeof v !== "number" || !Number.isFinite(v) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
            this.fail(kind);
            return opts.default ?? opts.min ?? 0;
        }
        return v;
    }

    bool(opts: { default?: boolean } = {}): boolean {
        if (!this.present) return this.missing(opts.default, "true or false", false);
        const v = this.value === "true" ? true : this.value === "false" ? false : this.value;
        if (typeof v !== "boolean") {
            this.fail("true or false");
            return opts.default ?? false;
        }
        return v;
    }

    /** The elements of a list value, each a node with an indexed path. */
    list(opts: { default?: readonly unknown[]; minItems?: number; maxItems?: number } = {}): ConfigNode[] {
        const kind = describeBounds("a list with a number of items", { min: opts.minItems, max: opts.maxItems });
        const value = this.present ? this.value : opts.default;
        if (!Array.isArray(value)) {
            this.fail(kind);
            return [];
        }
        if ((opts.minItems !== undefined && value.length < opts.minItems) || (opts.maxItems !== undefined && value.length > opts.maxItems)) {
            this.fail(kind);
        }
        return value.map((v, i) => new ConfigNode(this.reader, `${this.path}[${i}]`, v));
    }

    stringList(opts: { default?: readonly string[]; minItems?: number; pattern?: RegExp; describe?: string; oneOf?: readonly string[] } = {}): string[] {
        return this.list(opts).map((n) => n.string({ pattern: opts.pattern, describe: opts.describe, oneOf: opts.oneOf }));
    }

    /** A map of string to string (tags). */
    stringMap(opts: { keyPattern?: RegExp; valuePattern?: RegExp; describe?: string } = {}): Record<string, string> {
        if (!this.present) return {};
        if (!isPlainObject(this.value)) {
            this.fail("a map of string keys to string values");
            return {};
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(this.value)) {
            const child = new ConfigNode(this.reader, `${this.path}.${k}`, v);
            if (opts.keyPattern && !opts.keyPattern.test(k)) {
                child.fail(`a key matching ${opts.describe ?? opts.keyPattern}`, k);
                continue;
            }
            out[k] = child.string({ pattern: opts.valuePattern, describe: opts.describe });
        }
        return out;
    }
}
