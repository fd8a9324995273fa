/**
 * `npx ts-node bench/pair.ts [memory|pool] [ROUNDS] [N]`
 *
 * Two contestants of `npm run bench`'s metadata workload, alone in one
 * process, taking turns: `memory` against memfs `vol.promises` (n = 10,000),
 * or `pool` against `fs.promises` (n = 1,000). Prints each one's median
 * ops/s, its CPU per op (the whole process: every thread) and, for the pool,
 * the main thread's CPU per op, then the ratio paired round by round. For
 * profiling one library gate without the eight other contestants of the full
 * run (`node --cpu-prof -r ts-node/register bench/pair.ts memory`).
 *
 * @since 0.3.0
 */
import '../spec/support/poolWorker'
import * as fs from 'node:fs'
import * as os from 'node:os'
import type { Contestant } from './contestant'
import { fsPromises, memfsPromises, memory, poolBackend } from './contestants'
import { median } from './measure'
import { metadata } from './workloads'

/** This thread's CPU time, µs (Linux: `/proc/thread-self/stat`, in clock ticks of 10 ms); `NaN` elsewhere. */
const threadMicros = (): number => {
  try {
    const fields = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return Number.NaN
  }
}

const which = process.argv[2] === 'pool' ? 'pool' : 'memory'
const rounds = Number(process.argv[3] ?? 15)
const n = Number(process.argv[4] ?? (which === 'pool' ? 1000 : 10_000))
/** Rounds run first and not counted: the JIT's warm-up. */
const WARMUPS = 3

const main = async (): Promise<void> => {
  const pool = poolBackend()
  if (which === 'pool' && pool === undefined) throw new Error('the pool backend is not available')
  const [mine, theirs]: readonly [Contestant, Contestant] =
    which === 'pool' ? [pool as Contestant, fsPromises] : [memory, memfsPromises]
  const opsPerSecond = new Map<string, Array<number>>()
  const cpuPerOp = new Map<string, Array<number>>()
  const mainPerOp = new Map<string, Array<number>>()
  const push = (table: Map<string, Array<number>>, name: string, value: number) =>
    table.set(name, [...(table.get(name) ?? []), value])
  for (let round = 0; round < WARMUPS + rounds; round++) {
    // Each goes first in every other round: neither always inherits the other's garbage.
    for (const contestant of round % 2 === 0 ? [mine, theirs] : [theirs, mine]) {
      const session = await contestant.setup()
      const before = threadMicros()
      const run = await metadata(session, n)
      const mainThread = (threadMicros() - before) / run.ops
      await session.teardown()
      if (round < WARMUPS) continue
      push(opsPerSecond, contestant.name, run.opsPerSecond)
      push(cpuPerOp, contestant.name, run.cpuMicrosPerOp)
      push(mainPerOp, contestant.name, mainThread)
    }
  }
  for (const { name } of [mine, theirs]) {
    const main = which === 'pool' ? `, main thread ${median(mainPerOp.get(name) ?? []).toFixed(1)} µs CPU/op` : ''
    process.stdout.write(
      `${name.padEnd(15)} ${Math.round(median(opsPerSecond.get(name) ?? []))
        .toLocaleString('en-US')
        .padStart(9)} ops/s, ` + `${median(cpuPerOp.get(name) ?? []).toFixed(2)} µs CPU/op${main}\n`
    )
  }
  const a = opsPerSecond.get(mine.name) ?? []
  const b = opsPerSecond.get(theirs.name) ?? []
  const paired = median(a.map((value, i) => value / b[i]))
  process.stdout.write(
    `${mine.name} / ${theirs.name}, n = ${n}, paired over ${a.length} rounds: ${paired.toFixed(2)}x; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
