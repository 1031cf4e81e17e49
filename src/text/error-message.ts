/** The message of anything thrown: an Error's own message, else the value in words. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
