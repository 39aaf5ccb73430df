import { Injectable } from '@nestjs/common';
import type { IdentityLink, IdentityLinker } from './identity-link.js';

/** Links nobody: used where no FHIR server is configured for linking (and by tests of login alone). */
@Injectable()
export class UnlinkedIdentityLinker implements IdentityLinker {
  link(): Promise<IdentityLink> {
    return Promise.resolve({ kind: 'none' });
  }
}
