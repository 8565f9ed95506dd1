/**
 * The security baseline: one module per area, each rule one policy object. Levels and thresholds per
 * environment come from policies/config/<stack>.json.
 */
import { dataPolicies } from "./data";
import { exposurePolicies } from "./exposure";
import { iamPolicies } from "./iam";
import { rdsPolicies } from "./rds";
import { workloadPolicies } from "./workloads";

export * from "./data";
export * from "./exposure";
export * from "./iam";
export * from "./rds";
export * from "./workloads";

export const securityPolicies = [...rdsPolicies, ...iamPolicies, ...exposurePolicies, ...workloadPolicies, ...dataPolicies];
