/**
 * The metadata service's args from validated config: the network and datastore it uses, data
 * protection, and the UI's OIDC client secret, read from Secrets Manager at deploy time so it is
 * never in config (it stays a Pulumi secret from the read to the listener).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArtifactStore } from "../components/artifact-store";
import type { MetadataServiceArgs, UiAuth } from "../components/metadata-service";
import type { PlatformNetwork } from "../components/network";
import type { PlatformConfig, UiConfig } from "./config";

function uiAuth(auth: UiConfig["auth"], opts: pulumi.InvokeOutputOptions): UiAuth | undefined {
    if (auth?.type !== "oidc") return auth;
    const { clientSecretId, ...settings } = auth;
    const secret = aws.secretsmanager.getSecretVersionOutput({ secretId: clientSecretId }, opts);
    return { ...settings, clientSecret: pulumi.secret(secret.secretString) };
}

export function metadataServiceArgs(config: PlatformConfig, network: PlatformNetwork, artifactStore: ArtifactStore, opts: pulumi.InvokeOutputOptions): MetadataServiceArgs {
    const { ui, ...metadata } = config.metadata;
    return {
        ...metadata,
        network,
        ui: ui && {
            ...ui,
            auth: uiAuth(ui.auth, opts),
            datastore: { root: artifactStore.datastoreRoot, bucketArn: artifactStore.bucketArn, kmsKeyArn: artifactStore.kmsKeyArn },
        },
        protect: config.dataProtection.protect,
        retainOnDelete: config.dataProtection.retainOnDelete,
    };
}
