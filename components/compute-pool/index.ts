export { BATCH_JOB_LOG_GROUP, ComputePool, type ComputePoolArgs, type DaskAccess } from "./compute-pool";
export {
    environmentPlans,
    queuePlans,
    settingsProblems,
    CPU_IMAGE_TYPE,
    GPU_IMAGE_TYPE,
    type EnvironmentPlan,
    type EnvironmentRole,
    type EnvironmentSettings,
    type GpuSettings,
    type OnDemandSettings,
    type QueuePlan,
    type QueueRole,
} from "./environments";
export { jobRoleStatements, ECS_INSTANCE_MANAGED_POLICY, type JobRoleGrants, type JobRoleScope } from "./iam";
export { launchTemplateArgs, METADATA_HOP_LIMIT, ROOT_DEVICE_NAME, type LaunchTemplateSettings } from "./launch-template";
export { jobEgressRules, type JobEgressScope } from "./security";
