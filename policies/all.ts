/**
 * Every policy of the pack, in the order reviewers read them. Tests and the offline plan import this
 * list; only index.ts wraps it in a PolicyPack (constructing one starts the analyzer's gRPC server).
 */
import type { Policies } from "@pulumi/policy";
import { computePolicies } from "./compute";
import { costPolicies } from "./cost-limits";
import { securityPolicies } from "./security";
import { storagePolicies } from "./storage";
import { taggingPolicies } from "./tagging";

export const PACK_NAME = "ml-platform";

export const allPolicies: Policies = [...taggingPolicies, ...storagePolicies, ...securityPolicies, ...computePolicies, ...costPolicies];
