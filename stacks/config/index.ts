/**
 * The stack's whole configuration, read and validated once. A wrong value fails here, with its key
 * path, before any resource is registered; components receive only typed, checked args.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseArtifactStore, type ArtifactStoreConfig } from "./artifact-store";
import { parseBase, type BaseConfig } from "./base";
import { ConfigReader, type RawConfig } from "./reader";

export * from "./base";
export * from "./reader";
export type { ArtifactStoreConfig } from "./artifact-store";

export interface PlatformConfig extends BaseConfig {
    readonly artifactStore: ArtifactStoreConfig;
}

/** Every `ml-platform:` key the program reads; any other key in the namespace is a mistake. */
export const PLATFORM_CONFIG_KEYS = [
    "environment",
    "owner",
    "costCenter",
    "extraTags",
    "dataProtection",
    "dataLakeStack",
    "daskStack",
    "artifactStore",
] as const;

/** Validates raw config (full keys, parsed values) into the typed platform config. */
export function parsePlatformConfig(raw: RawConfig, stack: string): PlatformConfig {
    const reader = new ConfigReader(raw, stack);
    reader.rejectUnknownKeys("ml-platform", PLATFORM_CONFIG_KEYS);
    const base = parseBase(reader);
    const config: PlatformConfig = {
        ...base,
        artifactStore: parseArtifactStore(reader),
    };
    reader.finish();
    return config;
}

/** Pulumi passes structured values as JSON strings; scalars stay strings until a reader types them. */
export function decodeRawConfig(flat: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(flat)) {
        const trimmed = value.trim();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try {
                raw[key] = JSON.parse(trimmed);
                continue;
            } catch {
                // not JSON: keep the string and let the key's reader reject it
            }
        }
        raw[key] = value;
    }
    return raw;
}

/** Reads the running stack's config from the Pulumi runtime. */
export function loadConfig(): PlatformConfig {
    return parsePlatformConfig(decodeRawConfig(pulumi.runtime.allConfig()), pulumi.getStack());
}
