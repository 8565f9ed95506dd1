export { Workspace, type WorkspaceArgs, type WorkspaceUser, type WorkspaceComputeRefs, type WorkspaceOrchestratorRefs } from "./workspace";
export { isValidUserName, MAX_USER_NAME_LENGTH, TEAM_NAME_PATTERN, spaceName, teamRoleName, teamParameterPath } from "./naming";
export { startupScript, encodeScript, MAX_LIFECYCLE_CONTENT, type StartupSettings } from "./lifecycle";
export { platformStatements, studioStatements, launchStatements, type PlatformGrants, type WorkspaceScope } from "./iam";
export { MIN_IDLE_TIMEOUT_MINUTES, MAX_IDLE_TIMEOUT_MINUTES } from "./studio-settings";
export { readTemplates, DEFAULT_TEMPLATES_DIRECTORY, TEMPLATES_PREFIX } from "./templates";
