/** Who a token speaks for (DESIGN.md §3; the eHealth `user_type` values). */
export type UserType = 'PATIENT' | 'PRACTITIONER' | 'SSL' | 'SYSTEM';
