/** Types for leaks.mjs. */
export declare const LEAKERS: readonly ['git-daemon', 'server', 'sleep'];
export declare function freePort(): Promise<number>;
export declare function leakyStep(dir: string, port: number): string;
export declare function leakedPids(dir: string): Partial<Record<'git-daemon' | 'server' | 'sleep', number>>;
export declare function procState(pid: number): string;
