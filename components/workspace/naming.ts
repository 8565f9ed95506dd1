/**
 * Names inside the Studio domain. User profile and space names are what people see and what the
 * Identity Center attribute maps to; role names carry the team so a workspace can tell its team.
 */
import { physicalName } from "../shared";

/** SageMaker's user profile and space name rule: letters, digits and single or repeated hyphens, up to 63. */
const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The suffix of each user's JupyterLab space. */
export const SPACE_SUFFIX = "-jupyterlab";

/** Longest user name whose space name `<user>-jupyterlab` still fits SageMaker's 63 characters. */
export const MAX_USER_NAME_LENGTH = 63 - SPACE_SUFFIX.length;

/** A user name that is a valid user profile name and leaves room for the space suffix. */
export function isValidUserName(name: string): boolean {
    return name.length <= MAX_USER_NAME_LENGTH && SAGEMAKER_NAME.test(name);
}

/** Teams name IAM roles and SSM paths: lower-case slugs, short enough for a 64-character role name. */
export const TEAM_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

export function spaceName(user: string): string {
    return `${user}${SPACE_SUFFIX}`;
}

/** The physical role name prefix of every team's execution role, e.g. `mlp-dev-workspace-`. */
export function teamRolePrefix(environment: string): string {
    return `${physicalName(environment, "workspace")}-`;
}

/** `mlp-dev-workspace-vision`: the workspace start-up script reads the team back from this name. */
export function teamRoleName(environment: string, team: string): string {
    return `${teamRolePrefix(environment)}${team}`;
}

/** Pipelines are namespaced by team: `/ml-platform/<env>/pipelines/<team>/<pipeline>/...`. */
export function teamParameterPath(ssmRoot: string, team: string): string {
    return `${ssmRoot}/pipelines/${team}`;
}
