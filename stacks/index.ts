// Entry point for `pulumi up`: Pulumi calls the exported function and publishes what it returns as
// the stack outputs.
import { program } from "./program";

export = program;
