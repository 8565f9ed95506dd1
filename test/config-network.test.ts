import { expect } from "chai";
import { parsePlatformConfig, type RawConfig } from "../stacks/config";
import { issuesOf, platformConfig, stackConfig, withKey } from "./helpers/config";

const KEY = "ml-platform:network";

/** The prod stack run standalone: no data lake or Dask stack, the given network block. */
function standaloneProd(network?: unknown): Record<string, unknown> {
    const raw = stackConfig("prod");
    delete raw["ml-platform:dataLakeStack"];
    delete raw["ml-platform:daskStack"];
    return network === undefined ? raw : { ...raw, [KEY]: network };
}

describe("network config", () => {
    it("reads the committed dev network: two zones, one NAT gateway, no flow logs", () => {
        expect(platformConfig("dev").network).to.deep.equal({
            cidrBlock: "10.20.0.0/16",
            availabilityZones: ["us-east-1a", "us-east-1b"],
            natGateways: 1,
            flowLogs: false,
            flowLogRetentionDays: 14,
        });
    });

    it("defaults a standalone prod to a NAT gateway per zone and a year of flow logs", () => {
        const network = parsePlatformConfig(standaloneProd({ availabilityZoneCount: 3 }), "prod").network;
        expect(network).to.deep.include({ natGateways: 3, flowLogs: true, flowLogRetentionDays: 365 });
        expect(network.availabilityZones).to.deep.equal(["us-east-1a", "us-east-1b", "us-east-1c"]);
    });

    it("takes an explicit zone list as given, and the smallest VPC, a /22, for six zones", () => {
        const zones = ["us-east-1d", "us-east-1b", "us-east-1f", "us-east-1a", "us-east-1c", "us-east-1e"];
        const network = parsePlatformConfig(withKey(KEY, { cidrBlock: "192.168.4.0/22", availabilityZones: zones }), "dev").network;
        expect(network.availabilityZones).to.deep.equal(zones);
        expect(network.cidrBlock).to.equal("192.168.4.0/22");
    });

    it("accepts an empty network block beside a data lake stack, as the committed staging and prod set it", () => {
        expect(issuesOf(stackConfig("staging"), "staging")).to.deep.equal([]);
        expect(stackConfig("prod")[KEY]).to.deep.equal({});
    });

    describe("rejects bad values with the key path", () => {
        const cases: { name: string; raw: () => RawConfig; stack?: string; path: string; expected: RegExp }[] = [
            { name: "host bits set", raw: () => withKey(KEY, { cidrBlock: "10.20.1.0/16" }), path: `${KEY}.cidrBlock`, expected: /network address is 10\.20\.0\.0\/16/ },
            { name: "not a CIDR block", raw: () => withKey(KEY, { cidrBlock: "10.20.0.0" }), path: `${KEY}.cidrBlock`, expected: /RFC 1918.*\/16 to \/22/ },
            { name: "a public range", raw: () => withKey(KEY, { cidrBlock: "8.8.0.0/16" }), path: `${KEY}.cidrBlock`, expected: /private \(RFC 1918\)/ },
            { name: "a block larger than /16", raw: () => withKey(KEY, { cidrBlock: "10.0.0.0/12" }), path: `${KEY}.cidrBlock`, expected: /from \/16 to \/22/ },
            { name: "a block smaller than /22", raw: () => withKey(KEY, { cidrBlock: "10.0.0.0/26" }), path: `${KEY}.cidrBlock`, expected: /from \/16 to \/22/ },
            // Every layout keeps room for six zones, so even two zones need a /22.
            { name: "a /23 for two zones", raw: () => withKey(KEY, { cidrBlock: "10.0.0.0/23", availabilityZoneCount: 2 }), path: `${KEY}.cidrBlock`, expected: /from \/16 to \/22/ },
            {
                name: "seven zones",
                raw: () => withKey(KEY, { availabilityZones: ["a", "b", "c", "d", "e", "f", "g"].map((z) => `us-east-1${z}`) }),
                path: `${KEY}.availabilityZones`,
                expected: /list with a number of items from 2 to 6/,
            },
            { name: "more NAT gateways than zones", raw: () => withKey(KEY, { availabilityZoneCount: 2, natGateways: 3 }), path: `${KEY}.natGateways`, expected: /whole number from 1 to 2/ },
            { name: "no NAT gateway", raw: () => withKey(KEY, { natGateways: 0 }), path: `${KEY}.natGateways`, expected: /whole number from 1 to 2/ },
            { name: "one zone", raw: () => withKey(KEY, { availabilityZones: ["us-east-1a"] }), path: `${KEY}.availabilityZones`, expected: /list with a number of items from 2 to 6/ },
            { name: "a zone of another region", raw: () => withKey(KEY, { availabilityZones: ["us-east-1a", "eu-west-1b"] }), path: `${KEY}.availabilityZones[1]`, expected: /a zone of us-east-1/ },
            { name: "the same zone twice", raw: () => withKey(KEY, { availabilityZones: ["us-east-1a", "us-east-1a"] }), path: `${KEY}.availabilityZones`, expected: /distinct zones/ },
            {
                name: "both a zone list and a zone count",
                raw: () => withKey(KEY, { availabilityZones: ["us-east-1a", "us-east-1b"], availabilityZoneCount: 2 }),
                path: `${KEY}.availabilityZoneCount`,
                expected: /absent when availabilityZones lists the zones/,
            },
            { name: "more derived zones than a, b, c", raw: () => withKey(KEY, { availabilityZoneCount: 4 }), path: `${KEY}.availabilityZoneCount`, expected: /whole number from 2 to 3/ },
            { name: "a retention CloudWatch refuses", raw: () => withKey(KEY, { flowLogRetentionDays: 10 }), path: `${KEY}.flowLogRetentionDays`, expected: /1, 3, 5, 7, 14, 30/ },
            { name: "flow logs off in prod", raw: () => standaloneProd({ flowLogs: false }), stack: "prod", path: `${KEY}.flowLogs`, expected: /true in prod/ },
            { name: "a misspelt key", raw: () => withKey(KEY, { natGateway: 1 }), path: `${KEY}.natGateway`, expected: /a known key of ml-platform:network/ },
            {
                name: "a network block beside a data lake stack",
                raw: () => withKey(KEY, { natGateways: 1 }, "staging"),
                stack: "staging",
                path: KEY,
                expected: /absent or \{\}: the network comes from the data lake stack acme\/a01-data-lake\/staging/,
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const issues = issuesOf(c.raw(), c.stack);
                expect(issues.map((i) => i.path)).to.deep.equal([c.path]);
                expect(issues[0].expected).to.match(c.expected);
            });
        }
    });
});
