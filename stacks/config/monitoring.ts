/**
 * `ml-platform:monitoring`: who is alerted, the monthly budget, alarm thresholds and the models whose
 * drift is watched.
 */
import { LOG_RETENTION_DAYS } from "../../components/network";
import type { ConfigNode, ConfigReader } from "./reader";

export interface DriftModelConfig {
    /** The `Model` dimension flows publish `DriftScore` under. */
    readonly name: string;
    /** Drift score above which the model's alarm fires, in (0, 1). */
    readonly threshold: number;
}

export interface MonitoringAlarmsConfig {
    /** Database CPU utilisation (%) that raises an alarm. */
    readonly databaseCpuPercent: number;
    /** Open database connections that raise an alarm. */
    readonly databaseConnections: number;
    /** Free database storage (GiB) below which an alarm fires; provisioned instances only. */
    readonly databaseFreeStorageGiB: number;
    /** Metadata service HTTP 5xx responses per 5 minutes that raise an alarm. */
    readonly metadataServer5xxErrors: number;
}

export interface MonitoringConfig {
    /** Addresses subscribed to the alert topic. */
    readonly alertEmails: readonly string[];
    /** Monthly cost budget for resources tagged with this environment, in USD. */
    readonly monthlyBudgetUsd: number;
    /** Days the platform's event log (pipeline and job state changes) is kept. */
    readonly eventLogRetentionDays: number;
    readonly alarms: MonitoringAlarmsConfig;
    readonly driftModels: readonly DriftModelConfig[];
}

const KEYS = ["alertEmails", "monthlyBudgetUsd", "eventLogRetentionDays", "alarms", "driftModels"];
const ALARM_KEYS = ["databaseCpuPercent", "databaseConnections", "databaseFreeStorageGiB", "metadataServer5xxErrors"];

export const EMAIL_PATTERN = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
/** Model names become CloudWatch dimension values and alarm names: a short slug. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseMonitoring(reader: ConfigReader): MonitoringConfig {
    const node = reader.key("ml-platform:monitoring").object(KEYS, true);

    const seen = new Set<string>();
    const alertEmails = node
        .get("alertEmails")
        .list({ minItems: 1 })
        .map((item) => {
            const email = item.string({ pattern: EMAIL_PATTERN, describe: "an e-mail address" });
            // Mail systems treat addresses case-insensitively: a second spelling is a duplicate subscription.
            if (email && seen.has(email.toLowerCase())) item.fail("an address not already in the list");
            seen.add(email.toLowerCase());
            return email;
        });

    const monthlyBudgetUsd = openInterval(node.get("monthlyBudgetUsd"), 0, 10_000_000, "a number of US dollars greater than 0");

    const retentionNode = node.get("eventLogRetentionDays");
    const eventLogRetentionDays = retentionNode.int({ default: 30, min: 1, max: 3653 });
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(eventLogRetentionDays)) {
        retentionNode.fail(`one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    const alarms = node.get("alarms").object(ALARM_KEYS);
    return {
        alertEmails,
        monthlyBudgetUsd,
        eventLogRetentionDays,
        alarms: {
            databaseCpuPercent: alarms.get("databaseCpuPercent").int({ default: 80, min: 1, max: 100 }),
            databaseConnections: alarms.get("databaseConnections").int({ default: 100, min: 1, max: 100_000 }),
            databaseFreeStorageGiB: alarms.get("databaseFreeStorageGiB").number({ default: 5, min: 1, max: 65_536 }),
            metadataServer5xxErrors: alarms.get("metadataServer5xxErrors").int({ default: 5, min: 1, max: 100_000 }),
        },
        driftModels: parseDriftModels(node.get("driftModels").list({ default: [] })),
    };
}

/** A number strictly between `low` and `high`, with one issue per bad value. */
function openInterval(node: ConfigNode, low: number, high: number, expected: string): number {
    const value = node.number({ min: low, max: high });
    // number() has reported anything outside [low, high]; only the end points are left to reject.
    if (node.present && (Number(node.value) === low || Number(node.value) === high)) node.fail(expected);
    return value;
}

function parseDriftModels(items: readonly ConfigNode[]): DriftModelConfig[] {
    const names = new Set<string>();
    return items.map((item) => {
        item.object(["name", "threshold"], true);
        const nameNode = item.get("name");
        const name = nameNode.string({ pattern: MODEL_NAME_PATTERN, describe: "a model name of letters, digits, '_', '.' and '-' (up to 64)" });
        if (name && names.has(name)) nameNode.fail("a model name not already in driftModels");
        names.add(name);
        // DriftScore is a normalised distance (see docs/monitoring.md): 0 is no drift, 1 total drift.
        const threshold = openInterval(item.get("threshold"), 0, 1, "a drift score strictly between 0 and 1");
        return { name, threshold };
    });
}
