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
export { KubernetesPool, type KubernetesPoolArgs, type NodePoolSettings } from "./kubernetes";
export {
    clusterLogGroupName,
    CONTROL_PLANE_LOG_TYPES,
    DNS1123_LABEL,
    DNS1123_SUBDOMAIN,
    KUBERNETES_VERSIONS,
    NODE_AMI_TYPES,
    NODE_MANAGED_POLICIES,
    NODE_POOL_LABEL,
    type KubernetesVersion,
    type NodePoolRole,
} from "./eks";
