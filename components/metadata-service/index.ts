export { MetadataService, type MetadataServiceArgs, type MetadataUiOptions } from "./metadata-service";
export { MetadataDatabase, type MetadataDatabaseArgs, DB_NAME, DB_PORT, DB_MASTER_USER } from "./database";
export { MetadataApiGateway, type MetadataApiGatewayArgs, apiResourcePolicy } from "./api-gateway";
export { MetadataUi, type MetadataUiArgs, type UiAuth, type OidcAuth } from "./ui";
export { MigrationRunner, type MigrationRunnerArgs, restartOnRotation } from "./runner";
export {
    DB_ENGINES,
    ENGINE_VERSIONS,
    FARGATE_SIZES,
    AUTO_PAUSE_SECONDS,
    SERVERLESS_MAX_ACU,
    POSTGRES_INSTANCE_CLASSES,
    AURORA_INSTANCE_CLASSES,
    engineVersions,
    isEngineVersion,
    instanceClassesFor,
    isFargateSize,
    describeFargateMemory,
    majorOf,
    parameterGroupFamily,
    supportsAutoPause,
    type DbEngine,
} from "./catalog";
export { METADATA_PORT, MIGRATION_PORT, UI_BACKEND_PORT, UI_STATIC_PORT, metadataContainer, migrationContainer, uiBackendContainer, uiStaticContainer, type DbConnection } from "./containers";
export { ecrRepositoryArn, imagePullStatements, executionRoleStatements, uiBackendTaskStatements, migrationRunnerStatements, redeployStatements, clusterTasksArn, type Datastore } from "./iam";
export type { ApiEndpointType, ApiGatewaySettings, CognitoAuth, DatabaseSettings, OidcAuthSettings, ServerlessCapacity, TlsSettings, UiSettings } from "./types";
