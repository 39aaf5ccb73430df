import type { IdentityProviderConfig } from '../../config/idp-config.schema.js';
import type { AttributeProfile } from './attribute-profile.js';
import { dkClinicianProfile } from './dk-clinician.profile.js';
import { genericProfile } from './generic.profile.js';
import { nlCitizenProfile } from './nl-citizen.profile.js';
import { oiosaml3CitizenProfile } from './oiosaml3-citizen.profile.js';

/** The attribute profile an IdP's config names (config.schema.ts `identityProviders[].profile`). */
export function attributeProfile(name: IdentityProviderConfig['profile']): AttributeProfile {
  switch (name) {
    case 'oiosaml3-citizen':
      return oiosaml3CitizenProfile;
    case 'nl-citizen':
      return nlCitizenProfile;
    case 'dk-clinician':
      return dkClinicianProfile;
    case 'generic':
      return genericProfile;
  }
}
