/** Who a token speaks for (DESIGN.md §3; the eHealth `user_type` values). */
export const USER_TYPES = ['PATIENT', 'PRACTITIONER', 'SSL', 'SYSTEM'] as const;
export type UserType = (typeof USER_TYPES)[number];
