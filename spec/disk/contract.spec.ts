/** The one contract suite, run on both disk backends in temporary directories. */
import { runContract } from '../contract/suite'
import { nodeBackend, poolBackend } from '../contract/diskBackends'

runContract(nodeBackend)
runContract(poolBackend)
