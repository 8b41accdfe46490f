/** scripts/build-server.mjs, as tests and bench see it. */
export declare const distDir: string;
/** Why `dir` (default dist) cannot be run as it is, or undefined when it is current. */
export declare function serverStaleReason(dir?: string, sources?: readonly string[]): string | undefined;
/** The newest mtime of a file, or of a folder and everything under it (0 when missing). */
export declare function newestMtime(path: string): number;
