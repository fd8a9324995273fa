/**
 * `fp-pathio/s3`: the S3 backend. Loaded only by those who import it, so the
 * core (`fp-pathio`) needs nothing but fp-ts and io-ts; this entry needs the
 * optional peer dependency `@aws-sdk/client-s3`.
 *
 * @since 0.1.0
 */
export { makeS3PathIO } from './makeS3PathIO'
export { DEFAULT_PART_SIZE, MIN_PART_SIZE, type S3Options } from './options'
export { isS3State, type S3State } from './state'
export { reasonOfS3Error } from './errors'
