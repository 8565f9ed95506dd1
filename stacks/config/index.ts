/**
 * The stack's whole configuration, read and validated once. A wrong value fails here, with its key
 * path, before any resource is registered; components receive only typed, checked args.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseArtifactStore, type ArtifactStoreConfig } from "./artifact-store";
import { parseBase, type BaseConfig } from "./base";
import { parseCompute, type ComputeConfig } from "./compute";
import { parseNetwork, type NetworkConfig } from "./network";
import { parseMonitoring, type MonitoringConfig } from "./monitoring";
import { parseWorkspaces, type WorkspacesConfig } from "./workspaces";
import { parseOrchestrator, type OrchestratorConfig } from "./orchestrator";
import { parseMetaflow, type MetaflowClientConfig } from "./metaflow";
import { parseMetadata, type MetadataConfig } from "./metadata";
import { ConfigReader, type RawConfig } from "./reader";

export * from "./base";
export * from "./reader";
export type { ArtifactStoreConfig } from "./artifact-store";
export type { NetworkConfig } from "./network";
export type { ComputeConfig, ComputeEnvironmentConfig, GpuComputeConfig, OnDemandComputeConfig } from "./compute";
export type { MonitoringConfig, MonitoringAlarmsConfig, DriftModelConfig } from "./monitoring";
export type { WorkspacesConfig, WorkspaceUserConfig } from "./workspaces";
export type { OrchestratorConfig } from "./orchestrator";
export type { MetaflowClientConfig } from "./metaflow";
export type { MetadataConfig, UiConfig, OidcAuthConfig } from "./metadata";

export interface PlatformConfig extends BaseConfig {
    readonly artifactStore: ArtifactStoreConfig;
    /** The standalone VPC; unused when `dataLakeStack` is set (the key must then be absent). */
    readonly network: NetworkConfig;
    /** The AWS Batch compute pool: spot, on-demand and GPU environments. */
    readonly compute: ComputeConfig;
    readonly monitoring: MonitoringConfig;
    /** JupyterLab workspaces; absent when the stack has none. */
    readonly workspaces?: WorkspacesConfig;
    /** Step Functions execution logs and failure alerts. */
    readonly orchestrator: OrchestratorConfig;
    /** Client settings published in the Metaflow config (container image and registry). */
    readonly metaflow: MetaflowClientConfig;
    /** The metadata service, its database, API Gateway and UI. */
    readonly metadata: MetadataConfig;
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
    "network",
    "compute",
    "monitoring",
    "workspaces",
    "orchestrator",
    "metaflow",
    "metadata",
] as const;

/** Validates raw config (full keys, parsed values) into the typed platform config. */
export function parsePlatformConfig(raw: RawConfig, stack: string): PlatformConfig {
    const reader = new ConfigReader(raw, stack);
    reader.rejectUnknownKeys("ml-platform", PLATFORM_CONFIG_KEYS);
    const base = parseBase(reader);
    const config: PlatformConfig = {
        ...base,
        artifactStore: parseArtifactStore(reader),
        network: parseNetwork(reader, base),
        compute: parseCompute(reader, base),
        monitoring: parseMonitoring(reader),
        workspaces: parseWorkspaces(reader, base.region),
        orchestrator: parseOrchestrator(reader, base),
        metaflow: parseMetaflow(reader),
        metadata: parseMetadata(reader, base),
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
