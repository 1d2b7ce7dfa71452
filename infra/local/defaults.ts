/** The admin a first local run creates when OZ_ADMIN_EMAIL / OZ_ADMIN_PASSWORD are unset. */
export const DEFAULT_ADMIN_EMAIL = 'admin@example.com';
export const DEFAULT_ADMIN_PASSWORD = 'admin-local-only';
