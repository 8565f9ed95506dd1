export { ArtifactStore, DATASTORE_PREFIX, type ArtifactStoreArgs } from "./artifact-store";
export { datastoreLifecycleRules, accessLogLifecycleRules, type LifecycleSettings } from "./lifecycle";
