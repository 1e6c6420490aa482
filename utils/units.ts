/** A mebibyte: sizes in config and messages are whole multiples of it. */
export const MB = 1024 * 1024;
