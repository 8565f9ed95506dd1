/**
 * What AWS offers for the metadata service's database and tasks: PostgreSQL versions in standard
 * support, instance classes, Aurora Serverless v2 capacity and the Fargate task sizes. Stack config
 * is validated against these tables, so a version or size that does not exist fails before any
 * resource is planned. Refresh the version lists from
 * `aws rds describe-db-engine-versions --engine <engine> --query 'DBEngineVersions[].EngineVersion'`.
 */

export const DB_ENGINES = ["postgres", "aurora-postgresql"] as const;
export type DbEngine = (typeof DB_ENGINES)[number];

/**
 * Released minor versions of each major in standard support (older majors are in, or close to,
 * RDS Extended Support, which bills per vCPU-hour). Some minors were never released on RDS or Aurora
 * (16.7 and 17.3 were withdrawn upstream; Aurora skipped 16.5 and started 17 at 17.4).
 */
export const ENGINE_VERSIONS: Readonly<Record<DbEngine, Readonly<Record<number, readonly number[]>>>> = {
    postgres: {
        16: [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14],
        17: [1, 2, 4, 5, 6, 7, 8, 9, 10],
    },
    "aurora-postgresql": {
        16: [1, 2, 3, 4, 6, 8, 9, 10, 11, 12, 13, 14],
        17: [4, 5, 6, 7, 8, 9, 10],
    },
};

/** Every `major.minor` version of an engine, newest last. */
export function engineVersions(engine: DbEngine): string[] {
    return Object.entries(ENGINE_VERSIONS[engine]).flatMap(([major, minors]) => minors.map((minor) => `${major}.${minor}`));
}

export function isEngineVersion(engine: DbEngine, version: string): boolean {
    return engineVersions(engine).includes(version);
}

/** `16.4` → 16. */
export function majorOf(version: string): number {
    return Number(version.split(".")[0]);
}

/** The parameter group family: `postgres17`, `aurora-postgresql16`. */
export function parameterGroupFamily(engine: DbEngine, version: string): string {
    return `${engine}${majorOf(version)}`;
}

/**
 * Aurora Serverless v2 pauses at 0 ACU only from Aurora PostgreSQL 16.3 (and every 17.x); older
 * versions floor at 0.5 ACU.
 */
export function supportsAutoPause(version: string): boolean {
    const [major, minor] = version.split(".").map(Number);
    return major > 16 || (major === 16 && minor >= 3);
}

function classes(families: readonly string[], sizes: readonly string[]): string[] {
    return families.flatMap((f) => sizes.map((s) => `db.${f}.${s}`));
}

const LARGE_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];

/** Current-generation classes RDS for PostgreSQL 16/17 runs on. */
export const POSTGRES_INSTANCE_CLASSES: readonly string[] = [
    ...classes(["t4g", "t3"], ["micro", "small", "medium", "large", "xlarge", "2xlarge"]),
    ...classes(["m6g", "m7g", "m8g", "m6i", "m7i", "r6g", "r7g", "r8g", "r6i", "r7i"], LARGE_SIZES),
];

/** Provisioned Aurora PostgreSQL classes (Aurora has no micro or small burstable classes). */
export const AURORA_INSTANCE_CLASSES: readonly string[] = [
    ...classes(["t4g", "t3"], ["medium", "large"]),
    ...classes(["r6g", "r7g", "r8g", "r6i", "r7i"], LARGE_SIZES),
];

export function instanceClassesFor(engine: DbEngine): readonly string[] {
    return engine === "postgres" ? POSTGRES_INSTANCE_CLASSES : AURORA_INSTANCE_CLASSES;
}

/** Aurora Serverless v2 capacity limits, in ACU, in steps of 0.5. */
export const SERVERLESS_MAX_ACU = 256;
/** `secondsUntilAutoPause` bounds (5 minutes to 1 day). */
export const AUTO_PAUSE_SECONDS = { min: 300, max: 86400 } as const;

function steps(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

/** Fargate's CPU units and the memory (MiB) each one accepts. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: steps(1024, 4096, 1024),
    1024: steps(2048, 8192, 1024),
    2048: steps(4096, 16384, 1024),
    4096: steps(8192, 30720, 1024),
    8192: steps(16384, 61440, 4096),
    16384: steps(32768, 122880, 8192),
};

export function isFargateSize(cpu: number, memory: number): boolean {
    return FARGATE_SIZES[cpu]?.includes(memory) ?? false;
}

/** "256 (0.25 vCPU): 512, 1024, 2048 MiB" for error messages. */
export function describeFargateMemory(cpu: number): string {
    const memory = FARGATE_SIZES[cpu];
    if (!memory) return `a CPU value of ${Object.keys(FARGATE_SIZES).join(", ")}`;
    return memory.length > 4 ? `${memory[0]} to ${memory[memory.length - 1]} MiB in steps of ${memory[1] - memory[0]}` : `${memory.join(", ")} MiB`;
}
