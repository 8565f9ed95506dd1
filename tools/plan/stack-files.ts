/**
 * Reads a stack's real `Pulumi.<stack>.yaml` (and the project's `Pulumi.yaml` defaults) into the
 * flat config map Pulumi hands a program, and the stack's policy config file.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import type { PolicyPackConfigFile } from "../policy/evaluate";
import { SECRET_PLACEHOLDER } from "../mocks/runtime";

/** A problem with the command line or the stack's files: exit code 2, one clear message. */
export class PlanInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanInputError";
    }
}

export interface StackFiles {
    readonly project: string;
    readonly stack: string;
    /** `ml-platform:key` → value as Pulumi passes it (objects as JSON). */
    readonly config: Record<string, string>;
    /** Keys whose values are encrypted in the stack file; offline they are placeholders. */
    readonly secretKeys: string[];
    readonly policyConfig: PolicyPackConfigFile;
    readonly policyConfigPath: string;
    readonly stackFile: string;
}

function readYaml(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new PlanInputError(`cannot read ${file}`);
    }
    try {
        const doc = yaml.load(text);
        if (doc === undefined || doc === null) return {};
        if (typeof doc !== "object" || Array.isArray(doc)) throw new PlanInputError(`${file}: expected a YAML mapping at the top level`);
        return doc as Record<string, unknown>;
    } catch (e) {
        if (e instanceof PlanInputError) throw e;
        throw new PlanInputError(`${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
}

/** Lists the stacks that have a `Pulumi.<stack>.yaml` in the project folder. */
export function knownStacks(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Pulumi.yaml `config:` defaults: `key: value`, `key: {default: value}` or `key: {value: value}`. */
function projectDefaults(project: string, declared: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (typeof declared !== "object" || declared === null) return out;
    for (const [key, decl] of Object.entries(declared as Record<string, unknown>)) {
        if (typeof decl === "object" && decl !== null && !Array.isArray(decl)) {
            const d = decl as Record<string, unknown>;
            if ("default" in d) out[qualify(project, key)] = d.default;
            else if ("value" in d) out[qualify(project, key)] = d.value;
        } else {
            out[qualify(project, key)] = decl;
        }
    }
    return out;
}

export function loadStackFiles(root: string, stack: string): StackFiles {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new PlanInputError(`'${stack}' is not a stack name (letters, digits, _ . - only)`);
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new PlanInputError(`unknown stack '${stack}': no Pulumi.${stack}.yaml (stacks: ${knownStacks(root).join(", ") || "none"})`);
    }
    const projectDoc = readYaml(path.join(root, "Pulumi.yaml"));
    const project = typeof projectDoc.name === "string" ? projectDoc.name : "";
    if (!project) throw new PlanInputError("Pulumi.yaml has no project name");

    const stackDoc = readYaml(stackFile);
    const stackConfig = stackDoc.config ?? {};
    if (typeof stackConfig !== "object" || Array.isArray(stackConfig)) throw new PlanInputError(`${path.basename(stackFile)}: 'config' must be a mapping`);

    const merged: Record<string, unknown> = { ...projectDefaults(project, projectDoc.config) };
    for (const [key, value] of Object.entries(stackConfig as Record<string, unknown>)) merged[qualify(project, key)] = value;

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(merged)) {
        if (value === null || value === undefined) continue;
        if (typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
            // Encrypted with the stack's secrets provider: unreadable offline, kept secret.
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }

    const policyConfigPath = path.join(root, "policies", "config", `${stack}.json`);
    let policyConfig: PolicyPackConfigFile = {};
    if (fs.existsSync(policyConfigPath)) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(policyConfigPath, "utf8")) as PolicyPackConfigFile;
        } catch (e) {
            throw new PlanInputError(`policies/config/${stack}.json is not valid JSON: ${(e as Error).message}`);
        }
        if (typeof policyConfig !== "object" || policyConfig === null || Array.isArray(policyConfig)) {
            throw new PlanInputError(`policies/config/${stack}.json: expected an object of policy name to level or settings`);
        }
    }
    return { project, stack, config, secretKeys, policyConfig, policyConfigPath, stackFile };
}
