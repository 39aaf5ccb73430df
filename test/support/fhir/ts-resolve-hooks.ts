import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Lets plain Node (24, which strips TypeScript types itself) run our sources as a separate process:
 * they import siblings as `./x.js` (TypeScript's nodenext convention), which Node's type stripping
 * does not map to `./x.ts`. Only relative imports from a `.ts` file whose `.js` does not exist are
 * redirected; packages resolve as usual. Used by `spawn-fhir-server.ts` via `node --import`.
 */
registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (parent?.endsWith('.ts') && /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) {
      const candidate = new URL(`${specifier.slice(0, -3)}.ts`, parent);
      if (!existsSync(fileURLToPath(new URL(specifier, parent))) && existsSync(fileURLToPath(candidate))) {
        return nextResolve(candidate.href, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
