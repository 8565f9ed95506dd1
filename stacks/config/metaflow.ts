/**
 * `ml-platform:metaflow`: client settings published in the Metaflow config, beyond what the platform's
 * resources determine.
 */
import type { ConfigReader } from "./reader";

export interface MetaflowClientConfig {
    /** Default image of `@batch` steps (METAFLOW_BATCH_CONTAINER_IMAGE); absent: Metaflow picks `python:<client version>`. */
    readonly batchContainerImage?: string;
    /** Registry prepended to images given without one (METAFLOW_BATCH_CONTAINER_REGISTRY); absent: Docker Hub. */
    readonly batchContainerRegistry?: string;
}

const KEYS = ["batchContainerImage", "batchContainerRegistry"];

/** `repository[:tag][@digest]`, optionally behind a registry host: what `docker pull` takes. */
const IMAGE = /^([a-z0-9.-]+(:\d{1,5})?\/)?[a-z0-9]+([._\/-][a-z0-9]+)*(:\w[\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** A registry host with an optional port and path, without a scheme: `123456789012.dkr.ecr.us-east-1.amazonaws.com`, `public.ecr.aws/docker/library`. */
const REGISTRY = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

export function parseMetaflow(reader: ConfigReader): MetaflowClientConfig {
    const node = reader.key("ml-platform:metaflow").object(KEYS);
    return {
        batchContainerImage: node.get("batchContainerImage").optionalString({ pattern: IMAGE, describe: "a container image reference such as python:3.11-slim or <registry>/<repository>:<tag>" }),
        batchContainerRegistry: node.get("batchContainerRegistry").optionalString({ pattern: REGISTRY, describe: "a registry host and optional path without a scheme, such as public.ecr.aws/docker/library" }),
    };
}
