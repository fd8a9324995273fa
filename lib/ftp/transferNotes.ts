/**
 * What the last file transfer of a session did (bytes, time, how it
 * ended, the path it used), noted where it ran and read once its command
 * has been answered, for its `Transfer` event.
 *
 * @since 0.4.0
 */
import type { Session } from './session'

/**
 * One finished transfer.
 *
 * @category model
 * @since 0.4.0
 */
export interface TransferNote {
  readonly path: string
  readonly bytes: number
  readonly ms: number
  /** The data transfer ran to its end (`Done`), was stopped (`Aborted`), or did not happen or failed. */
  readonly ended: 'done' | 'aborted' | 'failed'
}

const notes = new WeakMap<Session, TransferNote>()

/**
 * Notes the transfer a session's command just ran.
 *
 * @category utils
 * @since 0.4.0
 */
export const noteTransfer = (session: Session, note: TransferNote): void => void notes.set(session, note)

/**
 * The note of the session's last transfer, once: `undefined` when its
 * command ran none (refused before).
 *
 * @category utils
 * @since 0.4.0
 */
export const takeTransferNote = (session: Session): TransferNote | undefined => {
  const note = notes.get(session)
  notes.delete(session)
  return note
}
