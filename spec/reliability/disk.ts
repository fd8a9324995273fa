/**
 * Disk fixtures of the reliability suite: one temporary root per suite with a
 * fresh subdirectory per sequence (cheaper than a `mkdtemp` each), and the
 * process's open descriptors, counted from /proc/self/fd, for leak checks.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** A temporary root (its real path) and fresh, numbered subdirectories in it. */
export interface Scratch {
  readonly root: string
  /** A new, empty directory under the root. */
  readonly fresh: () => string
  /** Removes the root and everything in it. */
  readonly remove: () => void
}

export const makeScratch = (prefix: string): Scratch => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `fp-pathio-${prefix}-`)))
  let next = 0
  return {
    root,
    fresh: () => {
      const dir = path.join(root, `s${next++}`)
      fs.mkdirSync(dir)
      return dir
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true })
  }
}

export const removeDir = (dir: string): void => fs.rmSync(dir, { recursive: true, force: true })

/** Whether descriptors can be counted here (Linux). */
export const CAN_COUNT_FDS = fs.existsSync('/proc/self/fd')

/** The process's open descriptors now (the listing's own descriptor is gone once it returns). */
export const openFds = (): number => fs.readdirSync('/proc/self/fd').length

/** The descriptors that point into `dir`: a leak check that other tests' files cannot disturb. */
export const fdsUnder = (dir: string): Array<string> => {
  const found: Array<string> = []
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue // the directory listing's own descriptor, closed meanwhile
    }
    if (target === dir || target.startsWith(`${dir}/`)) found.push(`${fd} -> ${target}`)
  }
  return found
}
