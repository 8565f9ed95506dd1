import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, allPolicies } from "./all";

// Levels per environment come from policies/config/<stack>.json (--policy-pack-config); without a
// config file every policy is advisory.
new PolicyPack(PACK_NAME, { enforcementLevel: "advisory", policies: allPolicies });
