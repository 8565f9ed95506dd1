/**
 * `ml-platform:artifactStore`: lifecycle of the Metaflow datastore bucket.
 */
import type { ConfigReader } from "./reader";

export interface ArtifactStoreConfig {
    /** Days before current objects move to S3 Standard-IA. */
    readonly infrequentAccessAfterDays: number;
    /** Days before current objects move to Glacier Instant Retrieval. */
    readonly archiveAfterDays: number;
    /** Days before noncurrent versions are deleted. */
    readonly noncurrentVersionExpirationDays: number;
    /** Days before incomplete multipart uploads are aborted. */
    readonly abortIncompleteUploadDays: number;
    /** Write S3 server access logs to a separate log bucket. */
    readonly accessLogging: boolean;
    /** Days access logs are kept. */
    readonly accessLogRetentionDays: number;
}

const KEYS = ["infrequentAccessAfterDays", "archiveAfterDays", "noncurrentVersionExpirationDays", "abortIncompleteUploadDays", "accessLogging", "accessLogRetentionDays"];

export function parseArtifactStore(reader: ConfigReader): ArtifactStoreConfig {
    const node = reader.key("ml-platform:artifactStore").object(KEYS);
    // S3 refuses transitions to Standard-IA before 30 days, and objects must stay there 30 days
    // before a further transition.
    const infrequentAccessAfterDays = node.get("infrequentAccessAfterDays").int({ default: 30, min: 30, max: 3650 });
    const archive = node.get("archiveAfterDays");
    const archiveAfterDays = archive.int({ default: 90, min: 1, max: 3650 });
    if (archiveAfterDays < infrequentAccessAfterDays + 30) {
        archive.fail(`a whole number >= infrequentAccessAfterDays + 30 (${infrequentAccessAfterDays + 30})`);
    }
    return {
        infrequentAccessAfterDays,
        archiveAfterDays,
        noncurrentVersionExpirationDays: node.get("noncurrentVersionExpirationDays").int({ default: 90, min: 1, max: 3650 }),
        abortIncompleteUploadDays: node.get("abortIncompleteUploadDays").int({ default: 7, min: 1, max: 365 }),
        accessLogging: node.get("accessLogging").bool({ default: false }),
        accessLogRetentionDays: node.get("accessLogRetentionDays").int({ default: 90, min: 1, max: 3650 }),
    };
}
