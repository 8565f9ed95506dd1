/**
 * Data protection for stateful resources (data, keys, audit logs): the stack sets it from
 * `ml-platform:dataProtection`; each component says which of its resources it keeps.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface DataProtectionArgs {
    /** Pulumi refuses to delete or replace the component's stateful resources (set in prod). @default false */
    readonly protect?: boolean;
    /** Deleting the stack leaves the component's stateful resources in the account. @default false */
    readonly retainOnDelete?: boolean;
}

/** Options for a component's stateful children: parented to it, protected and retained as `args` say. */
export function keepOptions(parent: pulumi.Resource, args: DataProtectionArgs): pulumi.CustomResourceOptions {
    return { parent, protect: args.protect ?? false, retainOnDelete: args.retainOnDelete ?? false };
}
