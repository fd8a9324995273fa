/** The one contract suite on the S3 backend against a real S3 server (s3rver), bare and under the stacks that combine every middleware (spec/contract/stacks.ts says why not each alone). */
import { makeS3Backend, s3Backend } from '../contract/s3Backend'
import { combinedStacksOver } from '../contract/stacks'
import { runContract } from '../contract/suite'

runContract(s3Backend)
describe('S3 under middleware stacks', () => {
  for (const backend of combinedStacksOver(makeS3Backend('s3 stacked'))) runContract(backend)
})
