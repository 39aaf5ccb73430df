import { z } from 'zod';
import { FHIR_ID } from './fhir-references.js';

/*
 * The shape of every field this service reads from a resource FHIR hands it (linking, memberships,
 * contexts), checked once where an answer arrives (fhir-answers.ts), so the code reading them can
 * take the types at their word: a list is a list of elements, an element an object, a value a string
 * (R4 datatypes.html; R4 json.html: no null but as a placeholder in a list of primitives). Only these
 * fields are checked; everything else a resource holds passes through untouched.
 */

const reference = z.looseObject({ reference: z.string().optional() });
const identifier = z.looseObject({ system: z.string().optional(), value: z.string().optional() });
const coding = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
const concept = z.looseObject({ coding: z.array(coding).optional() });
const period = z.looseObject({ start: z.string().optional(), end: z.string().optional() });
const humanName = z.looseObject({
  use: z.string().optional(),
  text: z.string().optional(),
  family: z.string().optional(),
  // A list of primitives: null holds the place of a value that has only an extension (R4 json.html).
  given: z.array(z.string().nullable()).optional(),
});

const resource = {
  // The id goes into tokens (`patient`, `fhirUser`, `context`) and into the URLs of later reads and
  // updates: one outside R4's grammar (`x/../../Patient/other`) would name another resource there.
  id: z.string().regex(FHIR_ID).optional(),
  meta: z.looseObject({ versionId: z.string().optional() }).optional(),
  identifier: z.array(identifier).optional(),
  active: z.boolean().optional(),
};

const SHAPES = new Map<string, z.ZodType>(
  Object.entries({
    Patient: z.looseObject({
      ...resource,
      link: z.array(z.looseObject({ other: reference.optional(), type: z.string().optional() })).optional(),
    }),
    Organization: z.looseObject(resource),
    Practitioner: z.looseObject({ ...resource, name: z.array(humanName).optional() }),
    PractitionerRole: z.looseObject({
      ...resource,
      practitioner: reference.optional(),
      organization: reference.optional(),
      code: z.array(concept).optional(),
      period: period.optional(),
    }),
    CareTeam: z.looseObject({
      ...resource,
      status: z.string().optional(),
      participant: z
        .array(z.looseObject({ member: reference.optional(), role: z.array(concept).optional(), period: period.optional() }))
        .optional(),
      managingOrganization: z.array(reference).optional(),
    }),
    EpisodeOfCare: z.looseObject({
      ...resource,
      status: z.string().optional(),
      patient: reference.optional(),
      team: z.array(reference).optional(),
      managingOrganization: reference.optional(),
    }),
  }),
);

/**
 * Where `resource` breaks the shape of a field this service reads, as a path of field names and
 * positions (`participant.0.period`: never a value, which may be personal data), or undefined when
 * it does not, or when nothing of its type is read.
 */
export function malformedField(resource: object): string | undefined {
  const type = (resource as { resourceType?: unknown }).resourceType;
  const shape = typeof type === 'string' ? SHAPES.get(type) : undefined;
  const result = shape?.safeParse(resource);
  if (result === undefined || result.success) return undefined;
  return result.error.issues[0]?.path.map(String).join('.') ?? '';
}
