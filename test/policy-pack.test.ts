/**
 * The pack as `pulumi preview --policy-pack policies` starts it: policies/index.ts run from the
 * policies folder must construct the PolicyPack and serve the analyzer (it prints its gRPC port).
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as path from "path";
import { allPolicies } from "../policies/all";

const POLICIES = path.join(__dirname, "..", "policies");

describe("policy pack", () => {
    it("starts the analyzer from the policies folder, as the Pulumi CLI does", async () => {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", "index.ts"], { cwd: POLICIES, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const firstLine = await new Promise<string>((resolve, reject) => {
            let out = "";
            child.stdout.on("data", (d: Buffer) => {
                out += d.toString();
                if (out.includes("\n")) resolve(out.split("\n")[0].trim());
            });
            child.on("exit", (code) => reject(new Error(`the pack exited with ${code}: ${stderr}`)));
        }).finally(() => child.kill());
        expect(firstLine, stderr).to.match(/^\d+$/);
    });

    it("names each policy once, in kebab-case, with a description that starts 'Checks whether'", () => {
        const names = allPolicies.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of allPolicies) {
            expect(p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.name).to.not.equal("all");
            expect(p.description, p.name).to.match(/^Checks whether /);
            expect(Object.keys(p.configSchema?.properties ?? {}), p.name).to.not.include("enforcementLevel");
        }
    });
});
