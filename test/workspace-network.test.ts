/**
 * Workspaces run inside the VPC (Studio VpcOnly, traffic out through the NAT), so their start-up points
 * the Metaflow client at the metadata service's internal load balancer: the network must allow that path.
 */
import { expect } from "chai";
import { planOf, STACKS } from "./helpers/stacks";

describe("workspaces and the metadata service in the real stacks", () => {
    for (const stack of STACKS) {
        it(`${stack}: workspaces reach the metadata service's internal load balancer (the URL their start-up sets)`, async () => {
            const plan = await planOf(stack);
            const named = (name: string) => plan.resources.find((r) => r.name === name)!.inputs as Record<string, any>;
            const port = named(`mlp-${stack}-metadata-api-listener`).port as number;
            const lbFromVpc = named(`mlp-${stack}-metadata-lb-from-vpc`);
            const vpcCidr = lbFromVpc.cidrIpv4 as string;
            expect([lbFromVpc.fromPort, lbFromVpc.toPort], "the load balancer admits the VPC on its listener port").to.deep.equal([port, port]);
            const egress = named(`mlp-${stack}-workspaces-security-group`).egress as { protocol: string; fromPort: number; toPort: number; cidrBlocks?: string[] }[];
            const toLb = egress.filter((e) => (e.protocol === "tcp" || e.protocol === "-1") && e.fromPort <= port && port <= e.toPort && (e.cidrBlocks ?? []).includes(vpcCidr));
            expect(toLb, `workspace egress to ${vpcCidr}:${port}`).to.have.length.greaterThan(0);
            const domain = named(`mlp-${stack}-workspaces-domain`);
            expect(domain.appNetworkAccessType).to.equal("VpcOnly");
            expect(domain.subnetIds).to.deep.equal(named(`mlp-${stack}-metadata-api-lb`).subnets);
        });
    }
});
