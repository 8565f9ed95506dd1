/**
 * Databases: RDS PostgreSQL instances, Aurora clusters and their instances (provisioned or
 * Serverless v2), DynamoDB tables. A provisioned database bills the same idle or busy.
 */
import { label, referencedBy } from "./lookup";
import { monthly, usd, type RegionPrices } from "./prices";
import type { CostedResource, Estimate } from "./types";

const CLUSTER = "aws:rds/cluster:Cluster";

function classHourly(table: Record<string, number>, instanceClass: string, r: CostedResource, what: string): number {
    if (!Object.prototype.hasOwnProperty.call(table, instanceClass)) {
        throw new Error(`${label(r)}: ${what} instance class '${instanceClass}' is not in the price table (priced: ${Object.keys(table).join(", ")}).`);
    }
    return table[instanceClass];
}

/** RDS-managed master passwords live in a Secrets Manager secret that is billed like any other. */
function managedSecret(r: CostedResource, p: RegionPrices): { amount: number; note: string } {
    return r.props.manageMasterUserPassword ? { amount: p.rds.managedMasterSecretMonthly, note: ` + managed master secret ${usd(p.rds.managedMasterSecretMonthly)}/month` } : { amount: 0, note: "" };
}

export function rdsInstance(r: CostedResource, p: RegionPrices): Estimate {
    const instanceClass = String(r.props.instanceClass);
    const hourly = classHourly(p.rds.postgresHourly, instanceClass, r, "RDS PostgreSQL");
    const copies = r.props.multiAz ? p.rds.multiAzFactor : 1;
    const storageType = (r.props.storageType as string | undefined) ?? "gp3";
    const gbMonth = (p.rds.storageGbMonth as Record<string, number>)[storageType];
    if (gbMonth === undefined) throw new Error(`${label(r)}: storage type '${storageType}' is not priced.`);
    const gb = Number(r.props.allocatedStorage ?? 0);
    const maxGb = Math.max(gb, Number(r.props.maxAllocatedStorage ?? 0));
    const secret = managedSecret(r, p);
    const fixed = copies * monthly(hourly) + secret.amount;
    return {
        monthlyIdle: fixed + copies * gb * gbMonth,
        monthlyMax: fixed + copies * maxGb * gbMonth,
        basis: `${instanceClass} ${usd(hourly)}/h × 730 h × ${copies} (${copies > 1 ? "Multi-AZ" : "single-AZ"}) + ${gb}${maxGb > gb ? `..${maxGb}` : ""} GB ${storageType} × ${usd(gbMonth)}/GB-month × ${copies}${secret.note}`,
    };
}

export function auroraCluster(r: CostedResource, p: RegionPrices): Estimate {
    if (!String(r.props.engine ?? "").startsWith("aurora")) {
        throw new Error(`${label(r)}: engine '${r.props.engine}' (a Multi-AZ DB cluster) has no estimator; add one in policies/cost/database.ts.`);
    }
    const ioOptimized = r.props.storageType === "aurora-iopt1";
    const gbMonth = p.aurora.storageGbMonth[ioOptimized ? "aurora-iopt1" : "aurora"];
    const secret = managedSecret(r, p);
    return {
        monthlyIdle: secret.amount,
        monthlyMax: secret.amount,
        basis: `cluster storage ${usd(gbMonth)}/GB-month${ioOptimized ? "" : ` and I/O ${usd(p.aurora.ioPerMillionRequests)}/million`} billed by use (not estimated); instances priced separately${secret.note}`,
    };
}

/** An Aurora instance: a provisioned class by the hour, or `db.serverless` at the cluster's ACU range. */
export function auroraClusterInstance(r: CostedResource, p: RegionPrices, _region: string, all: readonly CostedResource[]): Estimate {
    const instanceClass = String(r.props.instanceClass);
    if (instanceClass !== "db.serverless") {
        const hourly = classHourly(p.aurora.postgresHourly, instanceClass, r, "Aurora PostgreSQL");
        return { monthlyIdle: monthly(hourly), monthlyMax: monthly(hourly), basis: `Aurora ${instanceClass} ${usd(hourly)}/h × 730 h` };
    }
    const cluster = referencedBy(r, "clusterIdentifier", all, CLUSTER, (c, v) => c.props.clusterIdentifier === v);
    const scaling = cluster?.props.serverlessv2ScalingConfiguration as { minCapacity?: number; maxCapacity?: number } | undefined;
    if (!cluster || scaling?.maxCapacity === undefined) {
        throw new Error(`${label(r)} is db.serverless but its cluster's serverlessv2ScalingConfiguration is not in the stack; the cost model cannot bound its ACUs.`);
    }
    const acuHourly = p.aurora.serverlessV2AcuHourly[cluster.props.storageType === "aurora-iopt1" ? "aurora-iopt1" : "aurora"];
    const min = Number(scaling.minCapacity ?? 0);
    const max = Number(scaling.maxCapacity);
    return {
        monthlyIdle: min * monthly(acuHourly),
        monthlyMax: max * monthly(acuHourly),
        basis: `Serverless v2 ${min}..${max} ACU × ${usd(acuHourly)}/ACU-hour × 730 h${min === 0 ? " (pauses at 0 ACU when idle)" : ""}`,
    };
}

export function dynamodbTable(r: CostedResource, p: RegionPrices): Estimate {
    const d = p.dynamodb;
    if (r.props.billingMode === "PAY_PER_REQUEST") {
        return { monthlyIdle: 0, monthlyMax: 0, basis: `on demand: ${usd(d.onDemandWritePerMillion)}/M writes, ${usd(d.onDemandReadPerMillion)}/M reads, ${usd(d.storageGbMonth)}/GB-month (usage, not estimated)` };
    }
    const indexes = (r.props.globalSecondaryIndexes as { readCapacity?: number; writeCapacity?: number }[] | undefined) ?? [];
    const rcu = Number(r.props.readCapacity ?? 0) + indexes.reduce((s, i) => s + Number(i.readCapacity ?? 0), 0);
    const wcu = Number(r.props.writeCapacity ?? 0) + indexes.reduce((s, i) => s + Number(i.writeCapacity ?? 0), 0);
    const amount = monthly(rcu * d.provisionedRcuHourly + wcu * d.provisionedWcuHourly);
    return { monthlyIdle: amount, monthlyMax: amount, basis: `provisioned ${rcu} RCU × ${usd(d.provisionedRcuHourly)} + ${wcu} WCU × ${usd(d.provisionedWcuHourly)} per hour × 730 h` };
}
