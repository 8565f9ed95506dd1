export * from "./tags";
export * from "./naming";
export * from "./iam";
export * from "./kms";
export * from "./protection";
