/**
 * The process's open file descriptors, from /proc/self/fd, for the leak tests.
 */
import * as fs from 'node:fs'

const targetOf = (fd: string): string | undefined => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return undefined // the descriptor readdir itself used, closed by now
  }
}

/**
 * How many of the process's descriptors are files or directories. Pipes,
 * eventfds and epoll descriptors are left out: each worker thread owns a few,
 * and a thread that has just exited gives them back a moment after its `exit`
 * event, which would make a count of everything flaky.
 */
export const openFileDescriptors = (): number =>
  fs.readdirSync('/proc/self/fd').filter((fd) => targetOf(fd)?.startsWith('/') === true).length
