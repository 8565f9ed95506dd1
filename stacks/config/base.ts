/**
 * Stack-wide settings: environment, ownership tags, data protection and upstream stack references.
 */
import { TAG_KEY_PATTERN, TAG_VALUE_PATTERN, REQUIRED_TAG_KEYS } from "../../components/shared";
import type { ConfigReader } from "./reader";

export const PROJECT = "ml-platform";
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** AWS regions the price table and the platform are validated for. */
export const SUPPORTED_REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"] as const;

const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export interface DataProtection {
    /** `protect` on stateful resources (buckets, keys, databases, tables): Pulumi refuses to delete or replace them. */
    readonly protect: boolean;
    /** `retainOnDelete`: a destroy or a removal from the program leaves the cloud resource in place. */
    readonly retainOnDelete: boolean;
    /** Lets `pulumi destroy` empty and delete buckets. Only allowed when `protect` is false. */
    readonly forceDestroy: boolean;
}

export interface BaseConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly environment: Environment;
    readonly owner: string;
    readonly costCenter: string;
    readonly extraTags: Readonly<Record<string, string>>;
    readonly dataProtection: DataProtection;
    /** Fully qualified name of the A01 data lake stack, when this stack uses its network and buckets. */
    readonly dataLakeStack?: string;
    /** Fully qualified name of the A02 Dask stack, when flows reach its scheduler. */
    readonly daskStack?: string;
}

export function parseBase(reader: ConfigReader): BaseConfig {
    const environment = reader.key("ml-platform:environment").string({ oneOf: ENVIRONMENTS }) as Environment;
    const extraTagsNode = reader.key("ml-platform:extraTags");
    const extraTags = extraTagsNode.stringMap({ keyPattern: TAG_KEY_PATTERN, valuePattern: TAG_VALUE_PATTERN, describe: "AWS tag characters (letters, digits, spaces and _ . : / = + - @), keys up to 128 and values up to 256" });
    for (const key of Object.keys(extraTags)) {
        if ((REQUIRED_TAG_KEYS as readonly string[]).includes(key) || key.toLowerCase().startsWith("aws:")) {
            extraTagsNode.get(key).fail(`a tag key other than the platform's own (${REQUIRED_TAG_KEYS.join(", ")}) and not starting with 'aws:'`, key);
        }
    }
    const protection = reader.key("ml-platform:dataProtection").object(["protect", "retainOnDelete", "forceDestroy"], true);
    const dataProtection: DataProtection = {
        protect: protection.get("protect").bool(),
        retainOnDelete: protection.get("retainOnDelete").bool(),
        forceDestroy: protection.get("forceDestroy").bool({ default: false }),
    };
    if (dataProtection.forceDestroy && dataProtection.protect) {
        protection.get("forceDestroy").fail("false while protect is true (destroying data needs protect: false first)");
    }
    if (environment === "prod" && !dataProtection.protect) {
        protection.get("protect").fail("true in prod: artifact buckets, keys and databases must not be deletable by an update");
    }
    return {
        project: PROJECT,
        stack: reader.stack,
        region: reader.key("aws:region").string({ oneOf: SUPPORTED_REGIONS }),
        environment,
        owner: reader.key("ml-platform:owner").string({ pattern: /^[\w.+-]+@[\w-]+(\.[\w-]+)+$|^[a-z0-9][a-z0-9-]{1,62}$/, describe: "an e-mail address or a lower-case team slug" }),
        costCenter: reader.key("ml-platform:costCenter").string({ pattern: /^[A-Z]{2,5}-\d{3,6}$/, describe: "a cost centre code like ML-1234" }),
        extraTags,
        dataProtection,
        dataLakeStack: reader.key("ml-platform:dataLakeStack").optionalString({ pattern: STACK_NAME, describe: "a stack name of the form org/project/stack" }),
        daskStack: reader.key("ml-platform:daskStack").optionalString({ pattern: STACK_NAME, describe: "a stack name of the form org/project/stack" }),
    };
}
