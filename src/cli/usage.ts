/**
 * The arguments of a command, or undefined when they ask for its usage (`--help`, `-h`): an operator's
 * first try, which was read as a config file's name or a realm's ("unknown realm --help").
 */
export function argumentsUnlessHelp(args: readonly string[]): readonly string[] | undefined {
  return args.some((arg) => arg === '--help' || arg === '-h') ? undefined : args;
}
