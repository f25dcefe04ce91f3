export interface RenderedFile {
  /** Path relative to the output directory, with forward slashes. */
  readonly path: string;
  readonly content: string;
}
