/**
 * The S3 settings of `npm start` (PATHIO_BACKEND=s3), read from the
 * environment: the FTP server then serves a bucket, and several servers on
 * several machines can serve the same one.
 *
 *   S3_BUCKET              the bucket (required)
 *   S3_ENDPOINT            an S3-compatible endpoint (MinIO, s3rver, R2...); left out: AWS,
 *                          and an endpoint given means path-style addressing
 *   S3_PREFIX              the key prefix that is the server's `/` (default: the whole bucket)
 *   AWS_REGION             the region (default us-east-1)
 *   AWS_ACCESS_KEY_ID,
 *   AWS_SECRET_ACCESS_KEY  credentials; left out, the SDK's own chain (profile, instance role...)
 */
import type { PathIOFactory } from '../lib'
import type { S3FolderFactory } from '../lib/server'
import { makeS3PathIO, type S3Options } from '../lib/backends/s3'

type Environment = Readonly<Record<string, string | undefined>>

const given = (env: Environment, name: string): string | undefined => {
  const value = env[name]
  return value === undefined || value === '' ? undefined : value
}

/** How to reach the store, from `env` (endpoint, region, credentials): what every bucket of the server shares. */
const s3ConnectionFrom = (env: Environment): Omit<S3Options, 'bucket'> | string => {
  const endpoint = given(env, 'S3_ENDPOINT')
  const accessKeyId = given(env, 'AWS_ACCESS_KEY_ID')
  const secretAccessKey = given(env, 'AWS_SECRET_ACCESS_KEY')
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    return 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together'
  return {
    region: given(env, 'AWS_REGION') ?? 'us-east-1',
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey } })
  }
}

/** The options `makeS3PathIO` gets from `env`, or a message saying what is missing. */
export const s3OptionsFrom = (env: Environment): S3Options | string => {
  const bucket = given(env, 'S3_BUCKET')
  if (bucket === undefined) return 'PATHIO_BACKEND=s3 needs S3_BUCKET'
  const connection = s3ConnectionFrom(env)
  if (typeof connection === 'string') return connection
  const prefix = given(env, 'S3_PREFIX')
  return { bucket, ...connection, ...(prefix === undefined ? {} : { prefix }) }
}

/** A factory of S3 records from `env` (the server shares the first one's client among connections), or a message. */
export const s3FactoryFrom = (env: Environment): PathIOFactory<unknown> | string => {
  const options = s3OptionsFrom(env)
  if (typeof options === 'string') return options
  try {
    void makeS3PathIO(options).state.close() // checks every option now, with the TypeError's message
  } catch (error) {
    return (error as Error).message
  }
  return ((context) => makeS3PathIO({ ...options, ...(context as object) })) as PathIOFactory<unknown>
}

/**
 * The maker of the users' S3 folders (the server's `s3Folder` option): each
 * folder's bucket and prefix, reached with the S3 settings of `env`
 * (S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; S3_BUCKET
 * and S3_PREFIX are the home's, for PATHIO_BACKEND=s3), or a message.
 */
export const s3FolderFrom = (env: Environment): S3FolderFactory | string => {
  const connection = s3ConnectionFrom(env)
  if (typeof connection === 'string') return connection
  return ({ bucket, prefix }) =>
    ((context) => makeS3PathIO({ ...connection, bucket, prefix, ...(context as object) })) as PathIOFactory<unknown>
}
