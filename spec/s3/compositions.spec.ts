/** The one contract suite on the S3 backend mounted beside a second record, as either layer of an overlay, and under a quota (spec/contract/compositions.ts). */
import { compositionsOver } from '../contract/compositions'
import { makeS3Backend } from '../contract/s3Backend'
import { runContract } from '../contract/suite'

describe('S3 under the compositions', () => {
  for (const backend of compositionsOver(makeS3Backend('s3 composed'))) runContract(backend)
})
