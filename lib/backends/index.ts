/**
 * The backends of `fp-pathio` (S3 is `fp-pathio/s3`, loaded on its own) and
 * the builder every one of them is made with. Re-exports only.
 *
 * @since 0.1.0
 */
export * from './memory'
export * from './node'
export * from './pool'
export { makePathIO, type PathIOCore } from './makePathIO'
