/**
 * Network: NAT gateways, public IPv4 addresses, load balancers, VPC endpoints, hosted zones. All of
 * them bill by the hour whether or not traffic flows; data processed is usage and not estimated.
 */
import { label } from "./lookup";
import { ASSUMPTIONS, monthly, usd, type RegionPrices } from "./prices";
import type { CostedResource, Estimate } from "./types";

const always = (amount: number, basis: string): Estimate => ({ monthlyIdle: amount, monthlyMax: amount, basis });

export function natGateway(r: CostedResource, p: RegionPrices): Estimate {
    // A regional NAT gateway bills in every zone it serves; a zonal one in its own zone.
    const zones = r.props.availabilityMode === "regional" ? Math.max(1, ((r.props.availabilityZoneAddresses as unknown[] | undefined) ?? []).length) : 1;
    return always(
        zones * monthly(p.vpc.natGatewayHourly),
        `NAT gateway ${usd(p.vpc.natGatewayHourly)}/h × ${zones} zone(s) × 730 h, + ${usd(p.vpc.natGatewayPerGb)}/GB processed (usage, not estimated)`,
    );
}

export function elasticIp(_r: CostedResource, p: RegionPrices): Estimate {
    return always(monthly(p.ec2.publicIpv4Hourly), `public IPv4 address ${usd(p.ec2.publicIpv4Hourly)}/h × 730 h`);
}

export function loadBalancer(r: CostedResource, p: RegionPrices): Estimate {
    const kind = (r.props.loadBalancerType ?? "application") as keyof RegionPrices["elb"];
    const lb = p.elb[kind];
    if (!lb) throw new Error(`${label(r)}: load balancer type '${String(kind)}' is not priced (priced: ${Object.keys(p.elb).join(", ")}).`);
    const lcus = ASSUMPTIONS.loadBalancerLcusAtMax;
    return {
        monthlyIdle: monthly(lb.hourly),
        monthlyMax: monthly(lb.hourly + lcus * lb.lcuHourly),
        basis: `${kind} load balancer ${usd(lb.hourly)}/h × 730 h; max adds ${lcus} LCU at ${usd(lb.lcuHourly)}/LCU-hour`,
    };
}

export function vpcEndpoint(r: CostedResource, p: RegionPrices): Estimate {
    const kind = (r.props.vpcEndpointType as string | undefined) ?? "Gateway";
    if (kind === "Gateway") return always(0, "gateway endpoint: no charge");
    const zones = Math.max(1, ((r.props.subnetIds ?? r.props.subnetConfigurations) as unknown[] | undefined)?.length ?? 0);
    return always(
        zones * monthly(p.vpc.interfaceEndpointHourlyPerAz),
        `${kind} endpoint ${usd(p.vpc.interfaceEndpointHourlyPerAz)}/h × ${zones} zone(s) × 730 h, + ${usd(p.vpc.interfaceEndpointPerGb)}/GB (usage, not estimated)`,
    );
}

export function hostedZone(_r: CostedResource, p: RegionPrices): Estimate {
    return always(p.route53.hostedZoneMonthly, `hosted zone ${usd(p.route53.hostedZoneMonthly)}/month; queries are usage`);
}
