/**
 * A walk of a whole tree through a record's listings, one page at a time:
 * what `withQuota` measures its usage with.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import { isDirectoryStat, isFileStat, type PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'

/** Entries a walk asks for at a time. */
const PAGE = 1000

/** What a tree's files hold: their count and their sizes' sum (holes included). */
export interface Tally {
  readonly bytes: number
  readonly files: number
}

/**
 * Counts the regular files under `dir` and adds up their sizes, directory
 * by directory, holding one page per level. A directory removed while the
 * walk reaches it is skipped; any other failure ends the walk with it.
 * Symbolic links are followed as `readdir` reports them (a link to a
 * directory is walked into; a cycle ends where paths grow past the limit).
 */
export const tallyTree = async (io: PathIO<unknown>, dir = '/'): Promise<E.Either<PathIOError, Tally>> => {
  let bytes = 0
  let files = 0
  const walk = async (at: string): Promise<E.Either<PathIOError, void>> => {
    const opened = await io.opendir(at)()
    if (E.isLeft(opened))
      return opened.left.reason === 'NotFound' || opened.left.reason === 'NotADirectory' ? E.right(undefined) : opened
    try {
      for (;;) {
        const page = await io.readdir(opened.right, PAGE)()
        if (E.isLeft(page)) return page
        if (page.right.length === 0) return E.right(undefined)
        for (const entry of page.right) {
          if (isFileStat(entry.stat)) {
            files++
            bytes += entry.stat.size
          } else if (isDirectoryStat(entry.stat)) {
            const below = await walk(entry.path)
            if (E.isLeft(below)) return below
          }
        }
      }
    } finally {
      await io.closedir(opened.right)()
    }
  }
  const walked = await walk(dir)
  return E.isLeft(walked) ? walked : E.right({ bytes, files })
}
