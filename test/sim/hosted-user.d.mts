/** Types for hosted-user.mjs. */
export declare const JOB_UID: number;
export declare function writeHostedSudoers(file: string, logfile?: string): void;
export declare function asHostedUser(sudoers: string, argv: readonly string[]): [string, string[]];
export declare function mountNamespaceRefusal(): string | undefined;
