/** The one contract suite on the S3 backend against a real S3 server (s3rver), bare and under every middleware stack. */
import { makeS3Backend, s3Backend } from '../contract/s3Backend'
import { stacksOver } from '../contract/stacks'
import { runContract } from '../contract/suite'

runContract(s3Backend)
describe('S3 under middleware stacks', () => {
  for (const backend of stacksOver(makeS3Backend('s3 stacked'))) runContract(backend)
})
