/** The one handle a stream owns, closed at most once. */
import * as E from 'fp-ts/Either'
import type { FileHandle, PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { runTask } from './runTask'

/** The one handle a stream holds: closed at most once, on end, error or destroy, whichever comes first. */
export interface HandleSlot {
  readonly current: () => FileHandle | undefined
  readonly hold: (file: FileHandle) => void
  readonly close: () => Promise<E.Either<PathIOError, void>>
}

export const makeHandleSlot = (pathio: PathIO<unknown>, path: string): HandleSlot => {
  let file: FileHandle | undefined
  return {
    current: () => file,
    hold: (held) => {
      file = held
    },
    close: async () => {
      if (file === undefined) return E.right(undefined)
      const closing = file
      file = undefined
      return runTask('close', path, () => pathio.close(closing))
    }
  }
}
