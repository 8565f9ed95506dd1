export { ParameterStore, metaflowConfigJson, type ParameterStoreArgs } from "./parameter-store";
export {
    dataLakeBucketParameterName,
    daskSchedulerParameterName,
    jobQueueParameterName,
    metaflowConfigParameterName,
    parameterArn,
    pipelineParametersArnPattern,
    pipelinesPath,
} from "./layout";
