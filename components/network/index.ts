export { Network, type NetworkArgs } from "./network";
export type { PlatformNetwork } from "./types";
export {
    parseCidr,
    formatCidr,
    contains,
    overlaps,
    isPrivateRange,
    nthBlock,
    planSubnets,
    natIndexForZone,
    LONGEST_VPC_PREFIX,
    MAX_ZONES,
    SMALLEST_SUBNET_PREFIX,
    type Cidr,
    type SubnetPlan,
} from "./subnets";
export { LOG_RETENTION_DAYS, FLOW_LOGS_SERVICE, flowLogDeliveryStatements, arnAccount } from "./flow-logs";
