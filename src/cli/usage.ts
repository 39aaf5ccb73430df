/**
 * The arguments of a command, or undefined when they ask for its usage (`--help`, `-h`): an operator's
 * first try, which was read as a config file's name or a realm's ("unknown realm --help").
 */
export function argumentsUnlessHelp(args: readonly string[]): readonly string[] | undefined {
  return args.some((arg) => arg === '--help' || arg === '-h') ? undefined : args;
}

/**
 * Whether a command was given no more arguments than it takes. One more is a mistake to say, not to
 * pass over: `keys:rotate nemlogin ES256 RS256` would otherwise rotate the key of the one it read.
 */
export function withinArity(args: readonly string[], most: number): boolean {
  return args.length <= most;
}
