export const PASSWORD_MIN_BYTES = 8;
// bcrypt ignores everything past 72 bytes; refusing longer passwords means two
// passwords sharing their first 72 bytes can never both work.
export const PASSWORD_MAX_BYTES = 72;

/** Whether a password's UTF-8 length is within what bcrypt takes whole. */
export const passwordLengthOk = (password: string): boolean => {
  const bytes = Buffer.byteLength(password, 'utf8');
  return bytes >= PASSWORD_MIN_BYTES && bytes <= PASSWORD_MAX_BYTES;
};
