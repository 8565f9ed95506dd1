/**
 * `ml-platform:orchestrator`: Step Functions execution logs and which failures page the alert topic.
 */
import { LOG_RETENTION_DAYS } from "../../components/network";
import type { BaseConfig } from "./base";
import type { ConfigReader } from "./reader";

export interface OrchestratorConfig {
    /** Days Step Functions execution logs (`step-functions create --log-execution-history`) are kept. */
    readonly executionLogRetentionDays: number;
    /** Alert on every failed Batch job on the platform's queues, not only on failed production runs. */
    readonly alertOnBatchJobFailures: boolean;
}

const KEYS = ["executionLogRetentionDays", "alertOnBatchJobFailures"];

export function parseOrchestrator(reader: ConfigReader, base: BaseConfig): OrchestratorConfig {
    const node = reader.key("ml-platform:orchestrator").object(KEYS);
    const prod = base.environment === "prod";
    const retentionNode = node.get("executionLogRetentionDays");
    const executionLogRetentionDays = retentionNode.int({ default: prod ? 365 : 30, min: 1, max: 3653 });
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(executionLogRetentionDays)) {
        retentionNode.fail(`one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return {
        executionLogRetentionDays,
        // In dev, engineers' interactive `run --with batch` failures are routine, not incidents.
        alertOnBatchJobFailures: node.get("alertOnBatchJobFailures").bool({ default: base.environment !== "dev" }),
    };
}
