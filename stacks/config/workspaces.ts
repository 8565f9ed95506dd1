/**
 * `ml-platform:workspaces`: the ML engineers who get a JupyterLab workspace, their teams and the
 * workspace defaults. Absent: no workspaces in this stack.
 */
import prices from "../../policies/cost/prices.json";
import { isValidUserName, MAX_IDLE_TIMEOUT_MINUTES, MAX_USER_NAME_LENGTH, MIN_IDLE_TIMEOUT_MINUTES, TEAM_NAME_PATTERN } from "../../components/workspace";
import type { ConfigNode, ConfigReader } from "./reader";

export interface WorkspaceUserConfig {
    readonly name: string;
    readonly team: string;
    readonly instanceType?: string;
}

export interface WorkspacesConfig {
    readonly teams: readonly string[];
    readonly users: readonly WorkspaceUserConfig[];
    /** JupyterLab instance type of users without their own. */
    readonly defaultInstanceType: string;
    /** Minutes without activity before a JupyterLab app stops. */
    readonly idleTimeoutMinutes: number;
    /** Each space's EBS volume, in GB. */
    readonly volumeSizeGb: number;
    /** The Metaflow client version installed in every workspace. */
    readonly metaflowVersion: string;
}

const KEYS = ["teams", "users", "defaultInstanceType", "idleTimeoutMinutes", "volumeSizeGb", "metaflowVersion"];
const USER_KEYS = ["name", "team", "instanceType"];
const VERSION = /^\d+\.\d+\.\d+$/;
export const DEFAULT_METAFLOW_VERSION = "2.19.39";

/** SageMaker instance types the cost model prices in this region: the only ones a workspace may use. */
export function workspaceInstanceTypes(region: string): string[] {
    const regional = (prices.regions as Record<string, { sagemaker?: { instanceHourly?: Record<string, number> } }>)[region];
    return Object.keys(regional?.sagemaker?.instanceHourly ?? {}).filter((t) => t.startsWith("ml."));
}

export function parseWorkspaces(reader: ConfigReader, region: string): WorkspacesConfig | undefined {
    const node = reader.key("ml-platform:workspaces");
    if (!node.present) return undefined;
    node.object(KEYS);
    const instanceTypes = workspaceInstanceTypes(region);
    const instanceType = (n: ConfigNode, def?: string) => n.string({ default: def, oneOf: instanceTypes });

    const teamNodes = node.get("teams").list({ minItems: 1 });
    const teams: string[] = [];
    for (const t of teamNodes) {
        const team = t.string({ pattern: TEAM_NAME_PATTERN, describe: "a team slug: lower-case letters, digits and '-', 2 to 32 characters" });
        if (teams.includes(team)) t.fail("a team not already in the list");
        teams.push(team);
    }

    const seen = new Set<string>();
    const users = node.get("users").list({ default: [] }).map((u): WorkspaceUserConfig => {
        u.object(USER_KEYS, true);
        const nameNode = u.get("name");
        const name = nameNode.string();
        if (nameNode.present && !isValidUserName(name)) {
            nameNode.fail(`a SageMaker user profile name: letters, digits and '-', starting and ending with a letter or digit, up to ${MAX_USER_NAME_LENGTH} characters`);
        }
        // Profile names are what people type at sign-in: two spellings of one name are one person.
        if (name && seen.has(name.toLowerCase())) nameNode.fail("a user name not already in the list");
        seen.add(name.toLowerCase());
        const teamNode = u.get("team");
        const team = teamNode.string();
        if (teamNode.present && !teams.includes(team)) teamNode.fail(`one of the teams in ml-platform:workspaces.teams (${teams.join(", ")})`);
        const typeNode = u.get("instanceType");
        return { name, team, ...(typeNode.present ? { instanceType: instanceType(typeNode) } : {}) };
    });

    return {
        teams,
        users,
        defaultInstanceType: instanceType(node.get("defaultInstanceType"), "ml.t3.medium"),
        idleTimeoutMinutes: node.get("idleTimeoutMinutes").int({ default: 60, min: MIN_IDLE_TIMEOUT_MINUTES, max: Math.min(MAX_IDLE_TIMEOUT_MINUTES, 7 * 24 * 60) }),
        volumeSizeGb: node.get("volumeSizeGb").int({ default: 20, min: 5, max: 16_384 }),
        metaflowVersion: node.get("metaflowVersion").string({ default: DEFAULT_METAFLOW_VERSION, pattern: VERSION, describe: "a pinned release like 2.19.39" }),
    };
}
