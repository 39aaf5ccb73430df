/** Nest injection token for the validated {@link Config}. */
export const CONFIG = Symbol('CONFIG');
