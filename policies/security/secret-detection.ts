/**
 * Recognising secrets written as plain values, by the name they are given (configurable patterns)
 * and by the shape of the value (fixed signatures). Used wherever a name/value pair can leak into
 * state, the console or logs: container environments, SSM parameters.
 */
import { parseJsonInput } from "../lib/resources";

/**
 * Name patterns (regular expressions over the UPPER_SNAKE form of a name) that mark a secret. Words
 * that occur inside ordinary ML names (TOKENIZER, SECRETARY) only match as whole words.
 */
export const DEFAULT_SECRET_NAME_PATTERNS: readonly string[] = [
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PSWD",
    "(^|_)PWD$",
    "(^|_)SECRETS?($|_)",
    "(^|_)TOKENS?($|_)",
    "(^|_)API_?KEYS?($|_)",
    "(^|_)AUTH_?KEYS?($|_)",
    "(^|_)PRIVATE_?KEYS?($|_)",
    "(^|_)ACCESS_?KEYS?($|_)",
    "(^|_)CREDENTIALS?($|_)",
    "(^|_)CONNECTION_?STRING($|_)",
];

/** Suffixes that name where a secret lives (its ARN, id, parameter path, file), not the secret itself. */
const REFERENCE_SUFFIXES = ["_ARN", "_ID", "_NAME", "_PATH", "_FILE", "_PARAM", "_PARAMETER", "_URL", "_URI", "_ENDPOINT"];

/** `dbPassword`, `db-password`, `/ml-platform/dev/db.password` → `DB_PASSWORD` (last path segment). */
export function normalizeName(name: string): string {
    const last = name.split("/").filter((s) => s !== "").pop() ?? name;
    return last
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .toUpperCase();
}

export function secretLookingName(name: string, patterns: readonly string[]): boolean {
    const normalized = normalizeName(name);
    if (REFERENCE_SUFFIXES.some((s) => normalized.endsWith(s))) return false;
    return patterns.some((p) => new RegExp(p, "i").test(normalized));
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
    const counts = new Map<string, number>();
    for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts.values()].reduce((h, n) => h - (n / s.length) * Math.log2(n / s.length), 0);
}

/**
 * Random-looking tokens: long, one word of key characters, high entropy, and upper and lower case
 * mixed as in random text. CamelCase identifiers (few capitals), hex digests (one case), ARNs, URLs
 * and paths fail at least one of these tests.
 */
function highEntropyToken(value: string): boolean {
    if (value.length < 32 || !/^[A-Za-z0-9+/=_-]+$/.test(value) || !/[0-9+/]/.test(value)) return false;
    const upper = value.replace(/[^A-Z]/g, "").length;
    const lower = value.replace(/[^a-z]/g, "").length;
    const upperShare = upper / Math.max(upper + lower, 1);
    return upperShare >= 0.25 && upperShare <= 0.85 && entropy(value) >= 4.3;
}

/** Why a value looks like a secret, or undefined when it does not. */
export function secretLookingValue(value: string): string | undefined {
    if (/\b(AKIA|ASIA)[0-9A-Z]{16}\b/.test(value)) return "an AWS access key id";
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return "a PEM private key";
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value)) return "a URL with embedded credentials";
    if (/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/.test(value)) return "a JSON web token";
    if (highEntropyToken(value)) return "a long random token";
    return undefined;
}

export interface SecretFinding {
    /** The entry's name, with the path inside a JSON object value (`CONFIG.METAFLOW_SERVICE_AUTH_KEY`). */
    readonly name: string;
    /** Why it looks secret. */
    readonly why: string;
}

/**
 * Name/value pairs that look like plain secrets, looking inside JSON-object values too (a config
 * document published as one value). ARNs are references, never secrets; reviewed names are skipped.
 */
export function findPlainSecrets(
    entries: Iterable<readonly [string, unknown]>,
    config: { readonly secretNamePatterns: readonly string[]; readonly allowedNames: readonly string[] },
): SecretFinding[] {
    const findings: SecretFinding[] = [];
    const visit = (path: string, key: string, value: unknown): void => {
        if (config.allowedNames.includes(key) || config.allowedNames.includes(path)) return;
        if (typeof value === "string") {
            const inner = value.trim().startsWith("{") ? parseJsonInput(value) : undefined;
            if (typeof inner === "object" && inner !== null) return visit(path, key, inner);
            if (value === "" || value.startsWith("arn:")) return;
            const why = secretLookingValue(value) ?? (secretLookingName(key, config.secretNamePatterns) ? "a secret-looking name with a literal value" : undefined);
            if (why) findings.push({ name: path, why });
        } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            for (const [k, v] of Object.entries(value)) visit(`${path}.${k}`, k, v);
        }
    };
    for (const [name, value] of entries) visit(name, name, value);
    return findings;
}

/** The config both secret checks take, so one policy config can tune them alike. */
export const secretNameConfigProperties = {
    secretNamePatterns: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_SECRET_NAME_PATTERNS,
        description: "Regular expressions over a name in UPPER_SNAKE form that mark it as holding a secret.",
    },
    allowedNames: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Names that match a secret pattern but hold no secret (reviewed exceptions).",
    },
} as const;
