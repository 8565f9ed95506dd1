/**
 * The metadata database as CloudWatch sees it: an RDS instance reports per instance, an Aurora
 * cluster per cluster; Aurora storage grows by itself, so serverless clusters watch capacity instead.
 */
export type DatabaseKind = "instance" | "aurora" | "aurora-serverless";

export interface DatabaseRef<T = string> {
    /** DB instance identifier, or the cluster identifier for Aurora. */
    readonly identifier: T;
    readonly kind: DatabaseKind;
}

/** The dimension that names the database in AWS/RDS metrics. */
export function databaseDimension(db: DatabaseRef): Record<string, string> {
    return db.kind === "instance" ? { DBInstanceIdentifier: db.identifier } : { DBClusterIdentifier: db.identifier };
}

/** How a database is watched, from its engine and whether it runs on Aurora Serverless v2. */
export function databaseKind(settings: { readonly engine: string; readonly serverless?: unknown }): DatabaseKind {
    if (!settings.engine.startsWith("aurora")) return "instance";
    return settings.serverless ? "aurora-serverless" : "aurora";
}
