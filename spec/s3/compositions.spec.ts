/**
 * The one contract suite on the S3 backend mounted beside a second record and
 * under a quota (spec/contract/compositions.ts). Overlays run with memory and
 * disk layers (spec/compose/contract.spec.ts): an overlay's rules are its own,
 * and S3 as a layer would only repeat them at twenty times the cost.
 */
import { mounted, quotaed } from '../contract/compositions'
import { makeS3Backend } from '../contract/s3Backend'
import { runContract } from '../contract/suite'

describe('S3 under the compositions', () => {
  for (const backend of [mounted, quotaed].map((compose) => compose(makeS3Backend('s3 composed')))) runContract(backend)
})
