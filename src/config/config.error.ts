/**
 * A configuration that cannot be used; `problems` lists every offending path with its reason. A loader
 * at start-up that does not know the config file's name leaves `source` out; the entry point names it
 * ({@link ConfigError.in}).
 */
export class ConfigError extends Error {
  // Fields declared apart from the constructor (no parameter properties): the embedded FHIR server's
  // seed reads this class, and a test runs that server's source in a process that only strips types.
  readonly source: string | undefined;
  readonly problems: string[];

  constructor(source: string | undefined, problems: string[]) {
    super(`invalid configuration${source === undefined ? '' : ` in ${source}`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
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
