/**
 * The JupyterLab settings the domain, each user profile and each space carry. SageMaker applies the
 * most specific level, so all three say the same thing: the instance type and idle shutdown after
 * the configured time. The start-up script is the *built-in* lifecycle configuration of the domain
 * and of every profile: it runs at every start of every space and, unlike a default one, a user
 * cannot deselect it. It is not also the default, which would run it a second time.
 */
import type * as pulumi from "@pulumi/pulumi";

/** SageMaker's bounds on idle shutdown, in minutes. */
export const MIN_IDLE_TIMEOUT_MINUTES = 60;
export const MAX_IDLE_TIMEOUT_MINUTES = 525_600;

export interface JupyterLabDefaults {
    readonly instanceType: string;
    readonly lifecycleConfigArn: pulumi.Input<string>;
    readonly idleTimeoutMinutes: number;
}

/** Idle shutdown on, at the configured time; users may shorten it but not extend it. */
export function idleSettings(idleTimeoutMinutes: number) {
    return {
        lifecycleManagement: "ENABLED",
        idleTimeoutInMinutes: idleTimeoutMinutes,
        minIdleTimeoutInMinutes: MIN_IDLE_TIMEOUT_MINUTES,
        maxIdleTimeoutInMinutes: idleTimeoutMinutes,
    };
}

/** Domain- and profile-level JupyterLab settings. */
export function jupyterLabAppSettings(d: JupyterLabDefaults) {
    return {
        defaultResourceSpec: { instanceType: d.instanceType },
        builtInLifecycleConfigArn: d.lifecycleConfigArn,
        // Listed as well: SageMaker validates lifecycle configurations against the allowed list.
        lifecycleConfigArns: [d.lifecycleConfigArn],
        appLifecycleManagement: { idleSettings: idleSettings(d.idleTimeoutMinutes) },
    };
}

/** A user's private JupyterLab space; its start-up script is its owner's built-in one. */
export function spaceSettings(d: Omit<JupyterLabDefaults, "lifecycleConfigArn">, volumeSizeGb: number) {
    return {
        appType: "JupyterLab",
        jupyterLabAppSettings: {
            defaultResourceSpec: { instanceType: d.instanceType },
            appLifecycleManagement: { idleSettings: { idleTimeoutInMinutes: d.idleTimeoutMinutes } },
        },
        spaceStorageSettings: { ebsStorageSettings: { ebsVolumeSizeInGb: volumeSizeGb } },
    };
}
