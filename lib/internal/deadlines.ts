/**
 * One timer for many deadlines. Every operation under one `withTimeout(ms)`
 * has the same `ms`, so deadlines expire in the order they were set: a FIFO
 * queue and a single timer armed for its head replace a `setTimeout` and a
 * `clearTimeout` per operation (the cost that dominated a wrapped memory
 * backend). A cancelled entry is dropped once it reaches the head; the timer
 * stays armed but is unref'd whenever nothing is pending, so it never keeps
 * a process alive by itself.
 */

export interface Deadline {
  /** Called once when the deadline passes, unless cancelled first. */
  expire: (() => void) | undefined
  readonly at: number
}

export interface Deadlines {
  readonly add: (expire: () => void) => Deadline
  readonly cancel: (deadline: Deadline) => void
}

export const makeDeadlines = (ms: number): Deadlines => {
  let queue: Array<Deadline> = []
  let head = 0
  let live = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  const fire = () => {
    timer = undefined
    const now = performance.now()
    while (head < queue.length && (queue[head].expire === undefined || queue[head].at <= now)) {
      const due = queue[head++]
      const expire = due.expire
      if (expire !== undefined) {
        due.expire = undefined
        live--
        expire()
      }
    }
    if (head === queue.length) {
      queue = []
      head = 0
      return
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    timer = setTimeout(fire, Math.max(0, queue[head].at - now))
    if (live === 0) timer.unref()
  }

  return {
    add: (expire) => {
      const deadline: Deadline = { expire, at: performance.now() + ms }
      queue.push(deadline)
      // The armed timer is due no later than this deadline (FIFO): it only needs to hold the process again.
      if (live++ === 0 && timer !== undefined) timer.ref()
      if (timer === undefined) timer = setTimeout(fire, ms)
      return deadline
    },
    cancel: (deadline) => {
      if (deadline.expire === undefined) return
      deadline.expire = undefined
      if (--live === 0 && timer !== undefined) timer.unref()
      // Drop finished entries from the head at once, so the queue holds (and retains) only what is pending.
      while (head < queue.length && queue[head].expire === undefined) head++
      if (head === queue.length) {
        queue = []
        head = 0
      } else if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head)
        head = 0
      }
    }
  }
}
