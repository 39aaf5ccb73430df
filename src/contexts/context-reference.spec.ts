import { contextId } from './context-reference.js';

describe('contextId', () => {
  const base = 'http://fhir.example/fhir';

  it('accepts a bare id, Type/id, and an absolute URL on this FHIR server', () => {
    expect(contextId('ct-1', 'CareTeam', base)).toBe('ct-1');
    expect(contextId('CareTeam/ct-1', 'CareTeam', base)).toBe('ct-1');
    expect(contextId(`${base}/CareTeam/ct-1`, 'CareTeam', base)).toBe('ct-1');
  });

  it('refuses another type, another server, history, and malformed ids', () => {
    expect(contextId('Patient/ct-1', 'CareTeam', base)).toBeUndefined();
    expect(contextId('http://evil.example/fhir/CareTeam/ct-1', 'CareTeam', base)).toBeUndefined();
    expect(contextId(`${base}/CareTeam/ct-1/_history/2`, 'CareTeam', base)).toBeUndefined();
    expect(contextId('ct 1', 'CareTeam', base)).toBeUndefined();
    expect(contextId('x'.repeat(65), 'CareTeam', base)).toBeUndefined();
    expect(contextId('', 'CareTeam', base)).toBeUndefined();
  });

  it('refuses the path segments "." and "..", which a FHIR URL would resolve to the type or the base', () => {
    for (const id of ['.', '..']) {
      expect(contextId(id, 'CareTeam', base)).toBeUndefined();
      expect(contextId(`CareTeam/${id}`, 'CareTeam', base)).toBeUndefined();
      expect(contextId(`${base}/CareTeam/${id}`, 'CareTeam', base)).toBeUndefined();
    }
    expect(contextId('...', 'CareTeam', base)).toBe('...');
    expect(contextId('a.b', 'CareTeam', base)).toBe('a.b');
  });
});
