/**
 * Physical names shared across components. Child resource names are `${name}-<role>` (the Pulumi
 * name, which is stable); physical names that other systems or people type (queue names, state
 * machine prefixes, SSM paths) come from the environment, never from a value that can change.
 */

/** The SSM Parameter Store root for one environment: `/ml-platform/<env>`. */
export function ssmRoot(environment: string): string {
    return `/ml-platform/${environment}`;
}

/** A physical name with the platform and environment in it, e.g. `mlp-dev-cpu`. */
export function physicalName(environment: string, role: string): string {
    return `mlp-${environment}-${role}`;
}

/** The prefix of every Step Functions state machine this environment owns. */
export function stateMachinePrefix(environment: string): string {
    return physicalName(environment, "flow");
}
