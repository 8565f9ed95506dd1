/**
 * ECS container definitions for the metadata service, its schema migration and the UI. Database
 * credentials only ever arrive as ECS `secrets` (resolved from Secrets Manager by the agent when the
 * task starts); the plain environment carries host, port, database name and switches.
 */
import * as pulumi from "@pulumi/pulumi";

/** Metadata API (the only port the load balancer reaches). */
export const METADATA_PORT = 8080;
/**
 * The migration server, started by the image next to the API: the API's launcher asks it on
 * localhost which schema version is live. It is never mapped, targeted or allowed by a security group.
 */
export const MIGRATION_PORT = 8082;
export const UI_BACKEND_PORT = 8083;
export const UI_STATIC_PORT = 3000;

export const METADATA_CONTAINER = "metadata";
export const MIGRATION_CONTAINER = "migrate";
export const UI_BACKEND_CONTAINER = "ui-backend";
export const UI_STATIC_CONTAINER = "ui-static";

export interface DbConnection {
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    readonly name: pulumi.Input<string>;
    /** The RDS-managed secret with `username` and `password` keys. */
    readonly secretArn: pulumi.Input<string>;
}

export interface LogTarget {
    readonly group: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly streamPrefix: string;
}

type Entry = { name: string; value: pulumi.Input<string> };

function dbEnvironment(db: DbConnection): Entry[] {
    return [
        { name: "MF_METADATA_DB_HOST", value: db.host },
        { name: "MF_METADATA_DB_PORT", value: pulumi.output(db.port).apply(String) },
        { name: "MF_METADATA_DB_NAME", value: db.name },
        // The database refuses plain connections (rds.force_ssl); the service and goose must use TLS.
        { name: "MF_METADATA_DB_SSL_MODE", value: "require" },
    ];
}

/** `valueFrom` with a JSON key: the ECS agent reads one field of the secret. */
function dbSecrets(secretArn: pulumi.Input<string>): { name: string; valueFrom: pulumi.Output<string> }[] {
    return [
        { name: "MF_METADATA_DB_USER", valueFrom: pulumi.interpolate`${secretArn}:username::` },
        { name: "MF_METADATA_DB_PSWD", valueFrom: pulumi.interpolate`${secretArn}:password::` },
    ];
}

function awslogs(log: LogTarget) {
    return {
        logDriver: "awslogs",
        options: { "awslogs-group": log.group, "awslogs-region": log.region, "awslogs-stream-prefix": log.streamPrefix },
    };
}

/** A container health check that needs nothing but the image's Python. */
function httpCheck(port: number, path: string) {
    const probe = `python3 -c "import urllib.request; urllib.request.urlopen('http://localhost:${port}${path}', timeout=3)" || exit 1`;
    return { command: ["CMD-SHELL", probe], interval: 30, timeout: 5, retries: 3, startPeriod: 60 };
}

/** The metadata API with the image's own launcher (API on 8080, migration status on localhost:8082). */
export function metadataContainer(image: string, db: DbConnection, log: LogTarget) {
    return {
        name: METADATA_CONTAINER,
        image,
        essential: true,
        portMappings: [{ containerPort: METADATA_PORT, protocol: "tcp", name: "api" }],
        environment: [
            ...dbEnvironment(db),
            // Schema upgrades run once per deploy as a one-off task; the running service cannot start one.
            { name: "MF_MIGRATION_ENDPOINTS_ENABLED", value: "0" },
        ],
        secrets: dbSecrets(db.secretArn),
        healthCheck: httpCheck(METADATA_PORT, "/ping"),
        logConfiguration: awslogs(log),
    };
}

/** The one-off schema upgrade: goose applies every pending migration and exits. */
export function migrationContainer(image: string, db: DbConnection, log: LogTarget) {
    return {
        name: MIGRATION_CONTAINER,
        image,
        essential: true,
        command: ["/opt/latest/bin/python3", "/root/run_goose.py"],
        environment: dbEnvironment(db),
        secrets: dbSecrets(db.secretArn),
        logConfiguration: awslogs(log),
    };
}

/** The UI backend: the metadata image running the UI server, reading artifacts from the datastore. */
export function uiBackendContainer(image: string, db: DbConnection, log: LogTarget, datastoreRoot: pulumi.Input<string>) {
    return {
        name: UI_BACKEND_CONTAINER,
        image,
        essential: true,
        command: ["/opt/latest/bin/python3", "-m", "services.ui_backend_service.ui_server"],
        portMappings: [{ containerPort: UI_BACKEND_PORT, protocol: "tcp", name: "ui-api" }],
        environment: [
            ...dbEnvironment(db),
            // The load balancer routes /api/* here; the static UI calls /api on the same host.
            { name: "PATH_PREFIX", value: "/api/" },
            { name: "MF_DATASTORE_ROOT", value: datastoreRoot },
            { name: "METAFLOW_DATASTORE_SYSROOT_S3", value: datastoreRoot },
            { name: "METAFLOW_DEFAULT_DATASTORE", value: "s3" },
            { name: "METAFLOW_DEFAULT_METADATA", value: "service" },
            { name: "METAFLOW_SERVICE_URL", value: `http://localhost:${UI_BACKEND_PORT}/api/metadata` },
            // The static UI is its own service; the backend does not serve it.
            { name: "UI_ENABLED", value: "0" },
            { name: "LOGLEVEL", value: "INFO" },
        ],
        secrets: dbSecrets(db.secretArn),
        healthCheck: httpCheck(UI_BACKEND_PORT, "/api/ping"),
        logConfiguration: awslogs(log),
    };
}

/** The static UI (nginx); it calls the backend at `/api` on its own origin. */
export function uiStaticContainer(image: string, log: LogTarget) {
    return {
        name: UI_STATIC_CONTAINER,
        image,
        essential: true,
        portMappings: [{ containerPort: UI_STATIC_PORT, protocol: "tcp", name: "ui" }],
        logConfiguration: awslogs(log),
    };
}
