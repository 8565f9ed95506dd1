import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ssmRoot } from "../shared";
import {
    dataLakeBucketParameterName,
    dataLakeGlueDatabaseParameterName,
    daskSchedulerParameterName,
    jobQueueParameterName,
    metaflowConfigParameterName,
    pipelineParametersArnPattern,
    pipelinesPath,
} from "./layout";

export interface ParameterStoreArgs {
    /** The environment: the root of every path, `/ml-platform/<env>`. */
    readonly environment: string;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** The KMS key SecureString parameters are encrypted with; every role that reads them may decrypt with it through SSM. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The Metaflow client config, published whole (auth key included) as a SecureString JSON document. */
    readonly metaflowConfig: pulumi.Input<Readonly<Record<string, pulumi.Input<string | undefined>>>>;
    /** Job queue names by short name (`cpu`, `gpu`, ...): `/batch/queues/<short name>`. */
    readonly jobQueueNames: Readonly<Record<string, pulumi.Input<string>>>;
    /** The A02 Dask scheduler address, when this stack references a Dask stack. @default no parameter */
    readonly daskSchedulerAddress?: pulumi.Input<string>;
    /** The A01 data lake's bucket names and Glue database, when this stack references a data lake. @default no parameters */
    readonly dataLake?: { readonly rawBucketName: pulumi.Input<string>; readonly curatedBucketName: pulumi.Input<string>; readonly glueDatabaseName: pulumi.Input<string> };
}

/**
 * The environment's Parameter Store layout: the Metaflow config as a SecureString, plain parameters
 * for the endpoints flows look up at run time, and the hyperparameter namespace under `pipelines/`
 * (which holds no parameters of its own: workspace users write their pipelines' keys there).
 */
export class ParameterStore extends pulumi.ComponentResource {
    /** `/ml-platform/<env>`. */
    public readonly root: pulumi.Output<string>;
    /** `/ml-platform/<env>/metaflow/config`. */
    public readonly metaflowConfigParameterName: pulumi.Output<string>;
    public readonly metaflowConfigParameterArn: pulumi.Output<string>;
    /** Every parameter this component publishes, by role (`metaflow-config`, `queue-cpu`, `dask-scheduler-address`...). */
    public readonly parameterNames: pulumi.Output<Record<string, string>>;
    /** `/ml-platform/<env>/pipelines`: the hyperparameter namespace. */
    public readonly pipelinesPath: pulumi.Output<string>;
    /** `arn:aws:ssm:<region>:<account>:parameter/ml-platform/<env>/pipelines/*`. */
    public readonly pipelinesArnPattern: pulumi.Output<string>;

    constructor(name: string, args: ParameterStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:parameters:ParameterStore", name, {}, opts);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const env = args.environment;
        const names: Record<string, string> = {};
        const plain = (role: string, parameterName: string, value: pulumi.Input<string>, description: string): aws.ssm.Parameter => {
            names[role] = parameterName;
            return new aws.ssm.Parameter(`${name}-${role}`, { name: parameterName, type: "String", value, description }, child);
        };

        names["metaflow-config"] = metaflowConfigParameterName(env);
        const config = new aws.ssm.Parameter(
            `${name}-metaflow-config`,
            {
                name: metaflowConfigParameterName(env),
                type: "SecureString",
                keyId: args.kmsKeyArn,
                // The same JSON as the metaflowConfig stack output; it carries the service auth key.
                value: pulumi.secret(pulumi.output(args.metaflowConfig).apply(metaflowConfigJson)),
                description: "Metaflow client config.json for this environment",
            },
            child,
        );
        for (const [queue, queueName] of Object.entries(args.jobQueueNames)) {
            plain(`queue-${queue}`, jobQueueParameterName(env, queue), queueName, `AWS Batch job queue '${queue}'`);
        }
        if (args.daskSchedulerAddress !== undefined) {
            plain("dask-scheduler-address", daskSchedulerParameterName(env), args.daskSchedulerAddress, "A02 Dask scheduler address (tcp://host:port)");
        }
        if (args.dataLake) {
            plain("datalake-raw-bucket", dataLakeBucketParameterName(env, "raw"), args.dataLake.rawBucketName, "A01 data lake raw bucket");
            plain("datalake-curated-bucket", dataLakeBucketParameterName(env, "curated"), args.dataLake.curatedBucketName, "A01 data lake curated bucket");
            plain("datalake-glue-database", dataLakeGlueDatabaseParameterName(env), args.dataLake.glueDatabaseName, "A01 data lake Glue catalog database");
        }

        this.root = pulumi.output(ssmRoot(env));
        this.metaflowConfigParameterName = config.name;
        this.metaflowConfigParameterArn = config.arn;
        this.parameterNames = pulumi.output(names);
        this.pipelinesPath = pulumi.output(pipelinesPath(env));
        this.pipelinesArnPattern = pulumi.all([args.region, args.accountId]).apply(([region, account]) => pipelineParametersArnPattern(region, account, env));
        this.registerOutputs({
            root: this.root,
            metaflowConfigParameterName: this.metaflowConfigParameterName,
            metaflowConfigParameterArn: this.metaflowConfigParameterArn,
            parameterNames: this.parameterNames,
            pipelinesPath: this.pipelinesPath,
            pipelinesArnPattern: this.pipelinesArnPattern,
        });
    }
}

/** The config as `config.json` holds it: keys in a stable order, absent values left out. */
export function metaflowConfigJson(config: Readonly<Record<string, string | undefined>>): string {
    const present = Object.keys(config)
        .sort()
        .filter((k) => config[k] !== undefined)
        .map((k) => [k, config[k]] as const);
    return JSON.stringify(Object.fromEntries(present), null, 2);
}
