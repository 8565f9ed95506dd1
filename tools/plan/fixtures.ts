/**
 * Stack reference fixtures: the outputs upstream stacks publish, one JSON file per stack under
 * fixtures/stack-references/<org>/<project>/<stack>.json (the shapes of shared/contracts).
 */
import * as fs from "fs";
import * as path from "path";
import type { StackReferenceFixture } from "../mocks/runtime";

export function loadStackReferenceFixtures(root: string): Record<string, StackReferenceFixture> {
    const base = path.join(root, "fixtures", "stack-references");
    const out: Record<string, StackReferenceFixture> = {};
    if (!fs.existsSync(base)) return out;
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".json")) {
                const name = path.relative(base, full).replace(/\.json$/, "").split(path.sep).join("/");
                const doc = JSON.parse(fs.readFileSync(full, "utf8")) as { outputs: Record<string, unknown>; secretOutputNames?: string[] };
                out[name] = { outputs: doc.outputs, secretOutputNames: doc.secretOutputNames ?? [] };
            }
        }
    };
    walk(base);
    return out;
}
