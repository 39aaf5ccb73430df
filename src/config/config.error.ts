/**
 * A configuration that cannot be used; `problems` lists every offending path with its reason. A loader
 * at start-up that does not know the config file's name leaves `source` out; the entry point names it
 * ({@link ConfigError.in}).
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string | undefined,
    readonly problems: string[],
  ) {
    super(`invalid configuration${source === undefined ? '' : ` in ${source}`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }

  /** One problem, found by a loader at start-up that does not know the config file's name (a key, certificate or metadata file). */
  static problem(problem: string): ConfigError {
    return new ConfigError(undefined, [problem]);
  }

  /** These problems as found in config file `source`, unless they already name where they were found. */
  in(source: string): ConfigError {
    return this.source === undefined ? new ConfigError(source, this.problems) : this;
  }
}
