export { Orchestrator, type OrchestratorArgs } from "./orchestrator";
export { eventBridgeStatements, foreachStateStatements, stepFunctionsStatements, type StepFunctionsGrants } from "./iam";
export { failedBatchJobsPattern, failedExecutionsPattern, FAILED_EXECUTION_STATUSES, type EventPattern } from "./events";
export { BATCH_SYNC_RULE_NAME, DISTRIBUTED_MAP_OUTPUT_DIR, METAFLOW_JOB_DEFINITION_PREFIX, stateMachineArnPrefix, type AccountScope } from "./arns";
