export { ParameterStore, metaflowConfigJson, type ParameterStoreArgs } from "./parameter-store";
export {
    dataLakeBucketParameterName,
    dataLakeGlueDatabaseParameterName,
    daskSchedulerParameterName,
    jobQueueParameterName,
    metaflowConfigParameterName,
    parameterArn,
    pipelineParametersArnPattern,
    pipelinesPath,
} from "./layout";
