/**
 * `makeS3PathIO`'s options, checked at once: a bad one is a `TypeError`
 * naming it (a programming error, not a `Left`).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { FactoryContext } from '../../PathIO'
import { checkCwdOption, describe } from '../../internal/arguments'
import { isS3State, makeS3State, type S3State } from './state'

/**
 * The smallest part S3 accepts in a multipart upload (all but the last), and
 * so the smallest `partSize`: 5 MiB.
 *
 * @example
 * import { makeS3PathIO, MIN_PART_SIZE } from 'fp-pathio/s3'
 * assert.throws(() => makeS3PathIO({ bucket: 'files', partSize: MIN_PART_SIZE - 1 }), TypeError)
 *
 * @category constants
 * @since 0.1.0
 */
export const MIN_PART_SIZE = 5 * 1024 * 1024
/** The largest part S3 accepts. */
const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
/**
 * The `partSize` when none is given: 8 MiB, so a file of up to 8 MiB is one
 * PutObject and a larger one goes up in parts of 8 MiB.
 *
 * @example
 * import { DEFAULT_PART_SIZE } from 'fp-pathio/s3'
 * assert.strictEqual(DEFAULT_PART_SIZE, 8 * 1024 * 1024)
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024

/**
 * Options of `makeS3PathIO`: the factory context, where the objects are, and
 * how files move.
 *
 * @category model
 * @since 0.1.0
 */
export interface S3Options extends FactoryContext<S3State> {
  /** A client of your own; otherwise one is made from `endpoint`, `region`, `credentials`, `forcePathStyle`. */
  readonly client?: S3Client
  /** An S3-compatible endpoint (MinIO, s3rver, R2...); left out: AWS. */
  readonly endpoint?: string
  readonly region?: string
  readonly credentials?: {
    readonly accessKeyId: string
    readonly secretAccessKey: string
    readonly sessionToken?: string
  }
  /** `http://host/bucket/key` addressing, which most S3-compatible servers need. */
  readonly forcePathStyle?: boolean
  /** The bucket (needed unless `state` gives it). */
  readonly bucket?: string
  /** Key prefix under which `/` lies (`'ftp/'`: `/a` is the key `ftp/a`); default none. */
  readonly prefix?: string
  /** Absolute path that relative paths resolve against (default `/`). */
  readonly cwd?: string
  /** Bytes per part of a multipart upload: at least 5 MiB (default 8 MiB); a smaller file is one PutObject. */
  readonly partSize?: number
  /**
   * Whether the store keeps names of up to 255 bytes (default `true`: AWS,
   * MinIO and R2 do). `false` for one that cannot (s3rver keeps each key as
   * a file name plus a suffix of its own): the record's
   * `capabilities.longNames` says so.
   */
  readonly longNames?: boolean
}

export interface S3Settings {
  readonly state: S3State
  readonly prefix: string
  readonly cwd: string
  readonly partSize: number
  readonly longNames: boolean
}

const FACTORY = 'makeS3PathIO'

const typeError = (option: string, wanted: string, got: unknown): never => {
  throw new TypeError(`${FACTORY}: option '${option}' must be ${wanted}, got ${describe(got)}`)
}

const optionalString = (options: S3Options, option: keyof S3Options): string | undefined => {
  const value = options[option]
  return value === undefined || typeof value === 'string' ? value : typeError(option, 'a string', value)
}

const checkPartSize = (size: unknown): number =>
  size === undefined
    ? DEFAULT_PART_SIZE
    : typeof size === 'number' && Number.isSafeInteger(size) && size >= MIN_PART_SIZE && size <= MAX_PART_SIZE
      ? size
      : typeError('partSize', `an integer from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB)`, size)

/** `''`, or a prefix that ends in `/` and does not start with one. */
const checkPrefix = (prefix: string | undefined): string => {
  if (prefix === undefined || prefix === '') return ''
  if (prefix.startsWith('/') || prefix.includes('//') || prefix.includes('\0'))
    return typeError('prefix', "a key prefix without a leading '/', '//' or NUL", prefix)
  return prefix.endsWith('/') ? prefix : `${prefix}/`
}

const checkBucket = (bucket: unknown): string =>
  typeof bucket === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)
    ? bucket
    : typeError('bucket', 'a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)', bucket)

/** A client for an S3-compatible store: checksums only where S3 requires them, as MinIO, R2 and s3rver expect. */
const makeClient = (options: S3Options): S3Client => {
  const endpoint = optionalString(options, 'endpoint')
  const region = optionalString(options, 'region')
  const { credentials, forcePathStyle } = options
  if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean')
    typeError('forcePathStyle', 'a boolean', forcePathStyle)
  if (
    credentials !== undefined &&
    (typeof credentials !== 'object' ||
      credentials === null ||
      typeof credentials.accessKeyId !== 'string' ||
      typeof credentials.secretAccessKey !== 'string')
  )
    typeError('credentials', 'an object with accessKeyId and secretAccessKey strings', credentials)
  const config: S3ClientConfig = {
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    ...(forcePathStyle === undefined ? {} : { forcePathStyle })
  }
  return new S3Client(config)
}

/** Checks every option (a `TypeError` naming the first bad one) and makes the state where none is given. */
export const checkS3Options = (options: S3Options): S3Settings => {
  const { state, client } = options
  if (state !== undefined && !isS3State(state)) typeError('state', 'the state of another makeS3PathIO record', state)
  if (client !== undefined && !(client instanceof S3Client)) typeError('client', 'an S3Client', client)
  const cwd = checkCwdOption(options.cwd === undefined ? '/' : options.cwd, FACTORY)
  const prefix = checkPrefix(optionalString(options, 'prefix'))
  const partSize = checkPartSize(options.partSize)
  const longNames = options.longNames ?? true
  if (typeof longNames !== 'boolean') typeError('longNames', 'a boolean', longNames)
  const shared = state ?? makeS3State(client ?? makeClient(options), checkBucket(options.bucket), client === undefined)
  return { state: shared, prefix, cwd, partSize, longNames }
}
