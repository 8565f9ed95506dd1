export { ArtifactStore, type ArtifactStoreArgs } from "./artifact-store";
export { datastoreLifecycleRules, accessLogLifecycleRules, type LifecycleSettings } from "./lifecycle";
