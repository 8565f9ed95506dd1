/**
 * `ml-platform:network`: the standalone VPC. It applies only when no data lake stack is configured;
 * with `ml-platform:dataLakeStack` the platform runs in the A01 VPC and this key must be empty, so a
 * block that would be silently ignored is never left in a stack file.
 */
import { LOG_RETENTION_DAYS } from "../../components/network/flow-logs";
import { isPrivateRange, LONGEST_VPC_PREFIX, MAX_ZONES, parseCidr } from "../../components/network/subnets";
import type { BaseConfig } from "./base";
import type { ConfigNode, ConfigReader } from "./reader";

export interface NetworkConfig {
    /** IPv4 block of the VPC. */
    readonly cidrBlock: string;
    /** Zones of the private subnets: from config, or the region's first `availabilityZoneCount` zones. */
    readonly availabilityZones: readonly string[];
    /** NAT gateways, 1 to one per zone. */
    readonly natGateways: number;
    /** VPC flow logs to CloudWatch Logs. */
    readonly flowLogs: boolean;
    /** Days flow log records are kept. */
    readonly flowLogRetentionDays: number;
}

const KEYS = ["cidrBlock", "availabilityZones", "availabilityZoneCount", "natGateways", "flowLogs", "flowLogRetentionDays"];

const DEFAULT_CIDR = "10.20.0.0/16";
/** Zone letters every supported region has; a longer or different list must be given explicitly. */
const DERIVED_ZONE_LETTERS = ["a", "b", "c"];
/**
 * AWS allows /16 to /28. The subnet layout keeps room for six zones whatever the count (so adding one
 * never moves a subnet), which leaves every subnet /28 or larger only down to a /22 VPC.
 */
const LARGEST_VPC_PREFIX = 16;
const SMALLEST_VPC_PREFIX = LONGEST_VPC_PREFIX;

/**
 * Reads the standalone network. With a data lake stack the key must be absent and the defaults are
 * returned unused: the program takes the A01 network instead.
 */
export function parseNetwork(reader: ConfigReader, base: BaseConfig): NetworkConfig {
    const node = reader.key("ml-platform:network");
    // `{}` is allowed beside a data lake stack: Pulumi requires every key Pulumi.yaml declares
    // without a default to be set, and an empty block configures nothing that could be ignored.
    const empty = typeof node.value === "object" && node.value !== null && !Array.isArray(node.value) && Object.keys(node.value).length === 0;
    if (base.dataLakeStack && node.present && !empty) {
        node.fail(`absent or {}: the network comes from the data lake stack ${base.dataLakeStack} (ml-platform:dataLakeStack)`);
    }
    node.object(KEYS);
    const prod = base.environment === "prod";
    const availabilityZones = readZones(node, base.region);

    const natNode = node.get("natGateways");
    // Prod gets a NAT gateway per zone so one zone's outage cannot cut every job's egress.
    const natGateways = natNode.int({ default: prod ? availabilityZones.length : 1, min: 1, max: Math.max(1, availabilityZones.length) });

    const flowLogsNode = node.get("flowLogs");
    const flowLogs = flowLogsNode.bool({ default: prod });
    if (prod && !flowLogs) flowLogsNode.fail("true in prod: production network traffic must be auditable");
    const retentionNode = node.get("flowLogRetentionDays");
    const flowLogRetentionDays = retentionNode.int({ default: prod ? 365 : 14, min: 1, max: 3653 });
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(flowLogRetentionDays)) {
        retentionNode.fail(`one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    return {
        cidrBlock: readCidr(node.get("cidrBlock")),
        availabilityZones,
        natGateways,
        flowLogs,
        flowLogRetentionDays,
    };
}

function readZones(node: ConfigNode, region: string): string[] {
    const listNode = node.get("availabilityZones");
    const countNode = node.get("availabilityZoneCount");
    if (listNode.present) {
        if (countNode.present) countNode.fail("absent when availabilityZones lists the zones");
        const zones = listNode
            .list({ minItems: 2, maxItems: MAX_ZONES })
            .map((zone) => zone.string({ pattern: new RegExp(`^${region}[a-z]$`), describe: `a zone of ${region} such as ${region}a` }));
        if (new Set(zones).size !== zones.length) listNode.fail("distinct zones");
        return zones;
    }
    const count = countNode.int({ default: 2, min: 2, max: DERIVED_ZONE_LETTERS.length });
    return DERIVED_ZONE_LETTERS.slice(0, count).map((letter) => `${region}${letter}`);
}

function readCidr(node: ConfigNode): string {
    const allowed = `a private (RFC 1918) IPv4 network address from /${LARGEST_VPC_PREFIX} to /${SMALLEST_VPC_PREFIX}, e.g. ${DEFAULT_CIDR}`;
    const text = node.string({ default: DEFAULT_CIDR, describe: allowed });
    let block;
    try {
        block = parseCidr(text);
    } catch (e) {
        node.fail(`${allowed} (${(e as Error).message})`);
        return DEFAULT_CIDR;
    }
    if (!isPrivateRange(block) || block.prefix < LARGEST_VPC_PREFIX || block.prefix > SMALLEST_VPC_PREFIX) node.fail(allowed);
    return text;
}
