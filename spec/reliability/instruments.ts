/**
 * Instruments for the fault tests, built on `wrapOperations` like any
 * middleware: one counts the handles a record has open (successful opens
 * minus first successful closes), one records every fault `withFaults`
 * injected beneath it.
 */
import * as E from 'fp-ts/Either'
import { wrapOperations, type FileHandle, type OperationName, type PathIO, type PathIOError } from '../../lib'

/** The handles opened through a record and not yet closed. */
export interface HandleCounter {
  readonly open: Set<FileHandle>
  readonly opened: () => number
  readonly wrap: <S>(pathio: PathIO<S>) => PathIO<S>
}

export const makeHandleCounter = (): HandleCounter => {
  const open = new Set<FileHandle>()
  let opened = 0
  return {
    open,
    opened: () => opened,
    wrap: wrapOperations(
      (op, args, next) => () =>
        next(...args)().then((result) => {
          if (E.isRight(result) && op === 'open') {
            opened++
            open.add(result.right as FileHandle)
          }
          // A close that failed may still have closed (withFaults' faulted close does): only a Right is counted.
          if (E.isRight(result) && op === 'close') open.delete(args[0] as FileHandle)
          return result
        })
    )
  }
}

/** One fault `withFaults` injected. */
export interface Fault {
  readonly op: OperationName
  readonly path: unknown
  readonly reason: PathIOError['reason']
}

/** Whether an error is one `withFaults` made (its message says so). */
export const isInjected = (error: unknown): error is PathIOError =>
  typeof error === 'object' && error !== null && String((error as PathIOError).message).includes('injected fault')

/** Records every injected fault that passes through it, in order. */
export const makeFaultRecorder = (): {
  readonly faults: Array<Fault>
  readonly wrap: <S>(pathio: PathIO<S>) => PathIO<S>
} => {
  const faults: Array<Fault> = []
  return {
    faults,
    wrap: wrapOperations(
      (op, args, next) => () =>
        next(...args)().then((result) => {
          if (E.isLeft(result) && isInjected(result.left))
            faults.push({ op, path: args[0], reason: result.left.reason })
          return result
        })
    )
  }
}
