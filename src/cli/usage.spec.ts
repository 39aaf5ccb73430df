import { argumentsUnlessHelp } from './usage.js';

describe('argumentsUnlessHelp', () => {
  it('passes the arguments on, and none when any of them asks for help', () => {
    expect(argumentsUnlessHelp(['nemlogin', 'RS256'])).toEqual(['nemlogin', 'RS256']);
    expect(argumentsUnlessHelp([])).toEqual([]);
    expect(argumentsUnlessHelp(['--help'])).toBeUndefined();
    expect(argumentsUnlessHelp(['nemlogin', '-h'])).toBeUndefined();
    // A realm or a file may be named anything but these two.
    expect(argumentsUnlessHelp(['--helpful', 'h'])).toEqual(['--helpful', 'h']);
  });
});
