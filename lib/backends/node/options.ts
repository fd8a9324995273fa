/** `makeNodePathIO`'s options. */
import type { FactoryContext } from '../../PathIO'
import { checkCwdOption } from '../../internal/arguments'

/**
 * Options of `makeNodePathIO`: the factory context plus `cwd`.
 *
 * @example
 * import { makeNodePathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const io = makeNodePathIO({ cwd: '/tmp', timeout: 30_000 })
 * assert.deepStrictEqual(await io.isDir('.')(), E.right(true)) // '.' is /tmp
 *
 * @category model
 * @since 0.1.0
 */
export interface NodeOptions extends FactoryContext<undefined> {
  /** Absolute path that relative paths resolve against (default `process.cwd()` when the record is made). */
  readonly cwd?: string
}

/** The record's `cwd`, checked (a `TypeError` naming it): the option, or `process.cwd()` now. */
export const checkNodeOptions = (options: NodeOptions | undefined): string => {
  const given = options?.cwd
  return checkCwdOption(given === undefined ? process.cwd() : given, 'makeNodePathIO')
}
