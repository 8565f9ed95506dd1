/**
 * Regenerates policies/data/taggable-types.json: every @pulumi/aws resource type whose args take
 * `tags`. The required-tags policy uses it to tell "untaggable" from "forgot the tags" without the
 * provider schema (policy packs see inputs only). Run after upgrading @pulumi/aws:
 *   npx tsx tools/gen-taggable-types.ts
 */
import * as fs from "fs";
import * as path from "path";

const root = path.dirname(require.resolve("@pulumi/aws/package.json"));
const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
const types: string[] = [];

function walk(dir: string): void {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== "types" && entry.name !== "node_modules") walk(full);
        } else if (entry.name.endsWith(".js") && !entry.name.endsWith(".map")) {
            const js = fs.readFileSync(full, "utf8");
            const token = /static __pulumiType = '([^']+)'/.exec(js)?.[1];
            if (!token) continue;
            const dts = fs.readFileSync(full.replace(/\.js$/, ".d.ts"), "utf8");
            const argsBlock = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(dts)?.[1] ?? "";
            if (/^\s+tags\?: pulumi\.Input<\{/m.test(argsBlock)) types.push(token);
        }
    }
}

walk(root);
types.sort();
const out = path.join(__dirname, "..", "policies", "data", "taggable-types.json");
fs.writeFileSync(out, JSON.stringify({ source: `@pulumi/aws ${version}: resource args with a tags map`, types }, null, 1) + "\n");
console.log(`${types.length} taggable types written to ${path.relative(process.cwd(), out)}`);
