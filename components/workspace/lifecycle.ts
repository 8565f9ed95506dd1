/**
 * The JupyterLab start-up script (a Studio lifecycle configuration). It runs at every start of a
 * space, as the JupyterLab user, and must finish within SageMaker's 5-minute limit. Everything
 * environment-specific is read at start (the Metaflow config from SSM, the templates from S3), so a
 * platform update reaches each workspace at its next start without rebuilding anything.
 */
import { createHash } from "crypto";

export interface StartupSettings {
    readonly environment: string;
    readonly region: string;
    /** SSM parameter holding the Metaflow client config.json (a SecureString when it carries an API key). */
    readonly metaflowConfigParameter: string;
    /** `s3://<bucket>/templates/`: the platform's pipeline templates. */
    readonly templatesUri: string;
    /** The pinned Metaflow client version. */
    readonly metaflowVersion: string;
    /** Minutes without activity after which kernels and terminals are culled. */
    readonly idleTimeoutMinutes: number;
    /** Team execution roles are named `<prefix><team>`. */
    readonly teamRolePrefix: string;
    /** `/ml-platform/<env>/pipelines`: each team's hyperparameters live under `<root>/<team>`. */
    readonly pipelinesParameterRoot: string;
}

/** SageMaker's limit on a lifecycle configuration's (base64) content. */
export const MAX_LIFECYCLE_CONTENT = 16_384;

/** Single-quoted for bash; config values never carry quotes, but a stray one must not break the script. */
function quote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function startupScript(s: StartupSettings): string {
    return `#!/bin/bash
# ml-platform JupyterLab start-up (${s.environment}): Metaflow config, client, templates, idle culling.
set -euo pipefail

ENVIRONMENT=${quote(s.environment)}
REGION=${quote(s.region)}
METAFLOW_CONFIG_PARAMETER=${quote(s.metaflowConfigParameter)}
TEMPLATES_URI=${quote(s.templatesUri)}
METAFLOW_VERSION=${quote(s.metaflowVersion)}
IDLE_SECONDS=${s.idleTimeoutMinutes * 60}
TEAM_ROLE_PREFIX=${quote(s.teamRolePrefix)}
PIPELINES_ROOT=${quote(s.pipelinesParameterRoot)}

# 1. The Metaflow client config, read from SSM at every start; only this user can read it. A failed
#    read keeps the previous config (the home volume persists) rather than blocking the start.
mkdir -p "$HOME/.metaflowconfig"
umask 077
if aws ssm get-parameter --region "$REGION" --name "$METAFLOW_CONFIG_PARAMETER" --with-decryption \\
    --query Parameter.Value --output text > "$HOME/.metaflowconfig/config.json.new"; then
    mv "$HOME/.metaflowconfig/config.json.new" "$HOME/.metaflowconfig/config.json"
else
    rm -f "$HOME/.metaflowconfig/config.json.new"
    echo "ml-platform: could not read $METAFLOW_CONFIG_PARAMETER; keeping the previous Metaflow config" >&2
fi
# The published METAFLOW_SERVICE_URL may be the API Gateway, which can admit only office ranges;
# this space is inside the VPC (its traffic leaves through the NAT), so it talks to the metadata
# service's internal load balancer, as Batch and Step Functions tasks do.
if [ -f "$HOME/.metaflowconfig/config.json" ]; then
    python3 -c '
import json, os, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
internal = config.get("METAFLOW_SERVICE_INTERNAL_URL")
if internal and config.get("METAFLOW_SERVICE_URL") != internal:
    config["METAFLOW_SERVICE_URL"] = internal
    with open(path + ".new", "w") as f:
        json.dump(config, f, indent=2)
    os.replace(path + ".new", path)
' "$HOME/.metaflowconfig/config.json" \
        || echo "ml-platform: could not point the Metaflow config at the internal service URL" >&2
fi
umask 022

# 2. Environment and team for the templates: the team is the execution role's suffix
#    (arn:aws:sts::<account>:assumed-role/<prefix><team>/<session>).
ROLE_NAME="$(aws sts get-caller-identity --region "$REGION" --query Arn --output text | cut -d/ -f2 || true)"
TEAM="\${ROLE_NAME#"$TEAM_ROLE_PREFIX"}"
mkdir -p "$HOME/.ml-platform" "$HOME/.ipython/profile_default/startup"
printf '{"environment": "%s", "team": "%s", "hyperparameterRoot": "%s/%s"}\\n' "$ENVIRONMENT" "$TEAM" "$PIPELINES_ROOT" "$TEAM" > "$HOME/.ml-platform/workspace.json"
printf 'export MLP_ENVIRONMENT=%s\\nexport MLP_TEAM=%s\\n' "$ENVIRONMENT" "$TEAM" > "$HOME/.ml-platform/workspace.env"
printf 'import os\\nos.environ.setdefault("MLP_ENVIRONMENT", "%s")\\nos.environ.setdefault("MLP_TEAM", "%s")\\n' "$ENVIRONMENT" "$TEAM" \\
    > "$HOME/.ipython/profile_default/startup/00-ml-platform.py"
grep -qs 'ml-platform/workspace.env' "$HOME/.bashrc" || echo '. "$HOME/.ml-platform/workspace.env"' >> "$HOME/.bashrc"

# 3. The pinned Metaflow client. Without a package index the space still starts, with what it has.
timeout 180 pip install --quiet --no-input "metaflow==$METAFLOW_VERSION" \\
    || echo "ml-platform: could not install metaflow==$METAFLOW_VERSION; keeping the installed client" >&2

# 4. The platform's pipeline templates, refreshed at every start: copy one before editing it.
mkdir -p "$HOME/platform-templates"
aws s3 sync --region "$REGION" --only-show-errors --delete "$TEMPLATES_URI" "$HOME/platform-templates/" \\
    || echo "ml-platform: could not fetch the templates from $TEMPLATES_URI" >&2

# 5. Idle: SageMaker stops the app after the idle time (the space's idle shutdown). Kernels and
#    terminals left open are culled after the same time, so nothing forgotten holds memory or
#    looks like activity.
mkdir -p "$HOME/.jupyter/jupyter_server_config.d"
cat > "$HOME/.jupyter/jupyter_server_config.d/ml-platform-idle.json" <<JSON
{
  "MappingKernelManager": { "cull_idle_timeout": $IDLE_SECONDS, "cull_interval": 300, "cull_connected": true, "cull_busy": false },
  "TerminalManager": { "cull_inactive_timeout": $IDLE_SECONDS, "cull_interval": 300 }
}
JSON
`;
}

/** The lifecycle configuration's content as SageMaker takes it. */
export function encodeScript(script: string): string {
    return Buffer.from(script, "utf8").toString("base64");
}

/**
 * A lifecycle configuration's content cannot change in place; a name carrying the content's hash
 * makes a changed script a new configuration, attached before the old one is deleted.
 */
export function contentName(base: string, content: string): string {
    return `${base}-${createHash("sha256").update(content).digest("hex").slice(0, 8)}`;
}
