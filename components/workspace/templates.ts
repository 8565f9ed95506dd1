/**
 * The platform's pipeline templates: files under the repository's `templates/` folder, published to
 * the artifact store so every workspace fetches the current set at start.
 */
import * as fs from "fs";
import * as path from "path";

/** The repository's templates folder. */
export const DEFAULT_TEMPLATES_DIRECTORY = path.resolve(__dirname, "..", "..", "templates");

/** Where the templates live in the artifact store. */
export const TEMPLATES_PREFIX = "templates/";

export interface TemplateFile {
    /** Path under the templates folder, with forward slashes (`flows/train_flow.py`). */
    readonly relativePath: string;
    readonly content: string;
}

/** Every file under `directory`, sorted so the plan is the same on every machine. */
export function readTemplates(directory: string): TemplateFile[] {
    const files: TemplateFile[] = [];
    const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile() && !entry.name.startsWith(".")) {
                files.push({ relativePath: path.relative(directory, full).split(path.sep).join("/"), content: fs.readFileSync(full, "utf8") });
            }
        }
    };
    walk(directory);
    return files;
}

/** A resource-name role for a template file: `flows/train_flow.py` → `template-flows-train-flow-py`. */
export function templateRole(relativePath: string): string {
    return `template-${relativePath.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
}

export function contentTypeOf(relativePath: string): string {
    if (relativePath.endsWith(".py")) return "text/x-python";
    if (relativePath.endsWith(".md")) return "text/markdown";
    return "text/plain";
}
