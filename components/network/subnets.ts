/**
 * IPv4 CIDR arithmetic and the platform's subnet layout, as pure functions: config validation and the
 * Network component compute the same plan, and tests check it without running Pulumi.
 *
 * Layout of a VPC block, the same whatever the zone count: the block is split into 8 equal blocks,
 * room for the most zones a VPC may span (MAX_ZONES = 6) plus one. Zone i's private subnet is block i
 * (where Batch jobs, databases and services run, so they get nearly all the addresses); the last block
 * is cut into 8 small public subnets, zone i's being slot i, that hold only NAT gateways; block 6 is
 * left free. A zone's blocks depend on its position and the VPC block alone, so adding a zone or a NAT
 * gateway never moves an existing subnet; the price is a fixed minimum VPC size (LONGEST_VPC_PREFIX).
 */

export interface Cidr {
    /** The network address as an unsigned 32-bit number. */
    readonly address: number;
    /** Prefix length, 0 to 32. */
    readonly prefix: number;
}

export interface SubnetPlan {
    /** One private subnet block per zone, in zone order. */
    readonly private: readonly string[];
    /** One public subnet block per zone, in zone order; created only in zones that hold a NAT gateway. */
    readonly public: readonly string[];
}

/** AWS's smallest subnet (/28: 16 addresses, 5 of which AWS reserves). */
export const SMALLEST_SUBNET_PREFIX = 28;
/** Public subnets never need more than a /24: they hold NAT gateways only. */
const LARGEST_PUBLIC_PREFIX = 24;
/** The most zones a layout has room for (no AWS region offers more than six). */
export const MAX_ZONES = 6;

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** RFC 1918 ranges: the only blocks a private platform VPC should use. */
const PRIVATE_RANGES: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(parseCidr);

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/n`; throws when it is malformed or has host bits set (`10.0.0.1/16`). */
export function parseCidr(text: string): Cidr {
    const m = CIDR_PATTERN.exec(text);
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`'${text}' is not an IPv4 CIDR block (a.b.c.d/n)`);
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    if ((address & ~mask(prefix)) >>> 0 !== 0) {
        throw new Error(`'${text}' has host bits set; the network address is ${formatCidr({ address: (address & mask(prefix)) >>> 0, prefix })}`);
    }
    return { address, prefix };
}

export function formatCidr({ address, prefix }: Cidr): string {
    return `${[24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".")}/${prefix}`;
}

/** Whether `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
    return inner.prefix >= outer.prefix && (inner.address & mask(outer.prefix)) >>> 0 === outer.address;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
    return contains(a, b) || contains(b, a);
}

export function isPrivateRange(block: Cidr): boolean {
    return PRIVATE_RANGES.some((range) => contains(range, block));
}

/** The `index`-th block of length `prefix` inside `block`. */
export function nthBlock(block: Cidr, prefix: number, index: number): Cidr {
    const size = 2 ** (32 - prefix);
    if (prefix < block.prefix || index < 0 || index >= 2 ** (prefix - block.prefix)) {
        throw new Error(`${formatCidr(block)} has no block #${index} of length /${prefix}`);
    }
    return { address: block.address + index * size, prefix };
}

function bitsFor(count: number): number {
    return Math.ceil(Math.log2(count));
}

/** Bits that split the VPC into the private blocks of MAX_ZONES zones plus the public block. */
const ZONE_BITS = bitsFor(MAX_ZONES + 1);
/** Bits that cut the public block into one slot per zone. */
const PUBLIC_SLOT_BITS = bitsFor(MAX_ZONES);
const PUBLIC_BLOCK_INDEX = 2 ** ZONE_BITS - 1;

/** The longest VPC prefix (smallest block) whose layout leaves every subnet at /28 or larger: /22. */
export const LONGEST_VPC_PREFIX = SMALLEST_SUBNET_PREFIX - ZONE_BITS - PUBLIC_SLOT_BITS;

/**
 * The private and public subnet blocks of a VPC spread over `zoneCount` zones (see the file comment):
 * the plan for n zones is the first n entries of the plan for n + 1.
 */
export function planSubnets(vpcCidr: string, zoneCount: number): SubnetPlan {
    const vpc = parseCidr(vpcCidr);
    if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > MAX_ZONES) {
        throw new Error(`a subnet plan has room for 1 to ${MAX_ZONES} zones, got ${zoneCount}`);
    }
    if (vpc.prefix > LONGEST_VPC_PREFIX) {
        throw new Error(`${vpcCidr} is too small for the subnet layout: use /${LONGEST_VPC_PREFIX} or larger`);
    }
    const privatePrefix = vpc.prefix + ZONE_BITS;
    const publicBlock = nthBlock(vpc, privatePrefix, PUBLIC_BLOCK_INDEX);
    const publicPrefix = Math.max(privatePrefix + PUBLIC_SLOT_BITS, LARGEST_PUBLIC_PREFIX);
    const zones = Array.from({ length: zoneCount }, (_, i) => i);
    return {
        private: zones.map((i) => formatCidr(nthBlock(vpc, privatePrefix, i))),
        public: zones.map((i) => formatCidr(nthBlock(publicBlock, publicPrefix, i))),
    };
}

/**
 * Which NAT gateway a zone's private subnet sends its internet traffic through: its own zone's when
 * there is one (no cross-zone data charges, no shared failure), otherwise spread round-robin.
 */
export function natIndexForZone(zoneIndex: number, natCount: number): number {
    return zoneIndex % natCount;
}
