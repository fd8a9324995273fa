/**
 * Middleware: combinators from a `PathIO` to a `PathIO`, each built on
 * `wrapOperations`. Re-exports only.
 *
 * @since 0.1.0
 */
export { mapOperations, wrapOperations, type Around, type LooseCall } from '../internal/wrap'
export { withTimeout } from './withTimeout'
export { withSignal } from './withSignal'
export {
  normaliseErrors,
  type LooseArgs,
  type LooseBackend,
  type LooseGives,
  type LooseResult
} from './normaliseErrors'
export { withSharedState } from './withSharedState'
export { withRoot } from './withRoot'
export { readOnly } from './readOnly'
export { withFaults, DEFAULT_FAULT_REASONS, type FaultOptions } from './withFaults'
export { withContext } from './withContext'
export {
  withPermissions,
  permits,
  PERMISSION_LETTERS,
  type Permissions,
  type PermissionLetter
} from './withPermissions'
export {
  withAtomicWrites,
  abandonWrite,
  sweepTemporaries,
  type AtomicWriteOptions,
  type SweepOptions
} from './withAtomicWrites'
export { withMetrics, type OperationSample } from './withMetrics'
