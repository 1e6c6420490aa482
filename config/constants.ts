export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';
/** The refresh cookie only travels to the auth routes that need it. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
export const API_PREFIX = '/api/v1';
