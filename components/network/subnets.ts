/**
 * IPv4 CIDR arithmetic and the platform's subnet layout, as pure functions: config validation and the
 * Network component compute the same plan, and tests check it without running Pulumi.
 *
 * Layout of a VPC block for N zones: the block is split into 2^ceil(log2(N + 1)) equal blocks; the
 * first N are the private subnets (where Batch jobs, databases and services run, so they get nearly
 * all the addresses), and the next one is cut into small public subnets, one per zone, that hold only
 * NAT gateways. Every zone's blocks depend on its position alone, so adding a NAT gateway never
 * renumbers a subnet.
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

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** RFC 1918 ranges: the only blocks a private platform VPC should use. */
const PRIVATE_RANGES: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(parseCidr);

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function bitsFor(count: number): number {
    return Math.ceil(Math.log2(count));
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

/**
 * The longest VPC prefix (smallest block) that still leaves every subnet of a `zoneCount`-zone layout
 * at /28 or larger.
 */
export function longestVpcPrefixFor(zoneCount: number): number {
    return SMALLEST_SUBNET_PREFIX - bitsFor(zoneCount + 1) - bitsFor(zoneCount);
}

/** The private and public subnet blocks of a VPC spread over `zoneCount` zones (see the file comment). */
export function planSubnets(vpcCidr: string, zoneCount: number): SubnetPlan {
    const vpc = parseCidr(vpcCidr);
    if (!Number.isInteger(zoneCount) || zoneCount < 1) throw new Error(`a subnet plan needs at least one zone, got ${zoneCount}`);
    if (vpc.prefix > longestVpcPrefixFor(zoneCount)) {
        throw new Error(`${vpcCidr} is too small for ${zoneCount} zones: use /${longestVpcPrefixFor(zoneCount)} or larger`);
    }
    const privatePrefix = vpc.prefix + bitsFor(zoneCount + 1);
    const zones = Array.from({ length: zoneCount }, (_, i) => i);
    const publicBlock = nthBlock(vpc, privatePrefix, zoneCount);
    const publicPrefix = Math.max(privatePrefix + bitsFor(zoneCount), LARGEST_PUBLIC_PREFIX);
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
