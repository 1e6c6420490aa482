declare module 'heic-decode' {
  interface Decoded {
    width: number;
    height: number;
    data: Uint8ClampedArray;
  }
  /** One image of a HEIC/HEIF file: its size from the container, its pixels only on decode(). */
  interface HeifImage {
    width: number;
    height: number;
    decode(): Promise<Decoded>;
  }
  /** Decodes the primary image of a HEIC/HEIF file to RGBA pixels (libheif compiled to WebAssembly). */
  function decode(input: { buffer: Buffer | Uint8Array }): Promise<Decoded>;
  namespace decode {
    /** Parses the container: every image with its size, nothing decoded yet; dispose() frees them. */
    function all(input: { buffer: Buffer | Uint8Array }): Promise<HeifImage[] & { dispose(): void }>;
  }
  export default decode;
}
