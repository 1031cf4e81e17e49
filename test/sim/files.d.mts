/** Types for files.mjs. */
export declare function parseFileCommands(text: string): Record<string, string>;
export declare function readFileCommands(file: string): Record<string, string>;
export declare function parseWorkflowCommands(
  stdout: string,
): Array<{ level: string; title: string | undefined; message: string }>;
