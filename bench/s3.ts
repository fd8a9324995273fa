/**
 * `npm run bench:s3 [-- --runs N] [--size MiB] [--block KiB]`
 *
 * The S3 backend beside the bare SDK making the same requests, against
 * s3rver started here (in a process of its own, on 127.0.0.1): a file of
 * `--size` MiB (default 64) written and read in blocks of `--block` KiB
 * (default 1024), and the metadata operations (`stat` against HeadObject,
 * `scan` of 1,000 keys against one ListObjectsV2). Each run times both sides
 * in alternating order; the table gives medians and the paired ratio (the
 * median over runs of bare-SDK time / backend time).
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client
} from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import { makeS3PathIO, DEFAULT_PART_SIZE } from '../lib/backends/s3'
import type { PathIO } from '../lib'
import { startS3Server } from '../spec/s3/server'
import { median, timed } from './measure'

const MiB = 2 ** 20
const BUCKET = 'bench'

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? fallback : Number(process.argv[at + 1])
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`--${name} needs a positive number`)
  return value
}

const runs = option('runs', 5)
const size = option('size', 64) * MiB
const block = option('block', 1024) * 1024
const partSize = DEFAULT_PART_SIZE

const must = async <A>(
  te: () => Promise<{ _tag: 'Left'; left: { message: string } } | { _tag: 'Right'; right: A }>
): Promise<A> => {
  const result = await te()
  if (result._tag === 'Left') throw new Error(result.left.message)
  return result.right
}

// ----------------------------------------------------------------------------- the backend

const backendWrite = async (io: PathIO<unknown>, path: string, data: Buffer): Promise<void> => {
  const h = await must(io.open(path, 'wb'))
  for (let at = 0; at < data.length; at += block) await must(io.write(h, data.subarray(at, at + block)))
  await must(io.close(h))
}

const backendRead = async (io: PathIO<unknown>, path: string): Promise<number> => {
  const h = await must(io.open(path, 'rb'))
  let total = 0
  for (let got = await must(io.read(h, block)); got.length > 0; got = await must(io.read(h, block))) total += got.length
  await must(io.close(h))
  return total
}

// ----------------------------------------------------------------------------- the bare SDK, same requests

/** Blocks gathered into parts of `partSize`, two parts in flight, then Complete: the backend's requests by hand. */
const sdkWrite = async (client: S3Client, key: string, data: Buffer): Promise<void> => {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))
  const parts: Array<CompletedPart> = []
  const inFlight = new Set<Promise<void>>()
  let buffer = Buffer.allocUnsafe(partSize)
  let filled = 0
  const send = async (body: Buffer): Promise<void> => {
    const part: CompletedPart = { PartNumber: parts.length + 1 }
    parts.push(part)
    const sending = client
      .send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: part.PartNumber,
          Body: body,
          ContentLength: body.length
        })
      )
      .then((out) => {
        part.ETag = out.ETag
      })
      .finally(() => inFlight.delete(sending))
    inFlight.add(sending)
    while (inFlight.size >= 2) await Promise.race(inFlight)
  }
  for (let at = 0; at < data.length; at += block) {
    const piece = data.subarray(at, at + block) // a caller's block, copied as the backend copies it
    piece.copy(buffer, filled)
    filled += piece.length
    if (filled === partSize) {
      await send(buffer)
      buffer = Buffer.allocUnsafe(partSize)
      filled = 0
    }
  }
  if (filled > 0) await send(buffer.subarray(0, filled))
  await Promise.all(inFlight)
  await client.send(
    new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } })
  )
}

/** HEAD, then one GET streaming the object, handed out in blocks: the backend's requests by hand. */
const sdkRead = async (client: S3Client, key: string): Promise<number> => {
  const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
  if ((head.ContentLength ?? 0) === 0) return 0
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: 'bytes=0-' }))
  let total = 0
  let pending: Array<Uint8Array> = []
  let held = 0
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
    pending.push(chunk)
    held += chunk.length
    while (held >= block) {
      const all = Buffer.concat(pending)
      total += all.subarray(0, block).length
      pending = [all.subarray(block)]
      held -= block
    }
  }
  return total + held
}

// ----------------------------------------------------------------------------- running

interface Row {
  readonly what: string
  readonly backend: number
  readonly sdk: number
  readonly unit: string
  readonly ratio: number
}

const main = async (): Promise<void> => {
  const server = await startS3Server([BUCKET])
  try {
    const client = server.client()
    const io = makeS3PathIO({ client, bucket: BUCKET, partSize }) as PathIO<unknown>
    const data = randomBytes(size)
    const times: Record<string, Array<number>> = {
      bw: [],
      sw: [],
      br: [],
      sr: [],
      bstat: [],
      sstat: [],
      bscan: [],
      sscan: []
    }

    // Metadata fixtures: one small file, a directory of 1,000 keys.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta/one', Body: Buffer.from('x') }))
    for (let at = 0; at < 1000; at += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          client.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: `thousand/${String(at + i).padStart(4, '0')}`,
              Body: Buffer.from('k')
            })
          )
        )
      )
    const STATS = 200

    // One round of each, not counted: connections opened, code warm, s3rver's first-touch work (md5 files) done.
    await backendWrite(io, '/warm', data)
    await sdkWrite(client, 'warm-sdk', data)
    await backendRead(io, '/warm-sdk')
    await sdkRead(client, 'warm')
    for (let run = 0; run < runs; run++) {
      const backendFirst = run % 2 === 0
      const pair = async (a: () => Promise<void>, b: () => Promise<void>): Promise<void> => {
        if (backendFirst) {
          await a()
          await b()
        } else {
          await b()
          await a()
        }
      }
      await pair(
        async () => void times.bw.push(await timed(() => backendWrite(io, `/w-backend-${run}`, data))),
        async () => void times.sw.push(await timed(() => sdkWrite(client, `w-sdk-${run}`, data)))
      )
      await pair(
        async () =>
          void times.br.push(
            await timed(async () => {
              if ((await backendRead(io, `/w-sdk-${run}`)) !== size) throw new Error('short read')
            })
          ),
        async () =>
          void times.sr.push(
            await timed(async () => {
              if ((await sdkRead(client, `w-backend-${run}`)) !== size) throw new Error('short read')
            })
          )
      )
      await pair(
        async () =>
          void times.bstat.push(
            await timed(async () => {
              for (let i = 0; i < STATS; i++) await must(io.stat('/meta/one'))
            })
          ),
        async () =>
          void times.sstat.push(
            await timed(async () => {
              for (let i = 0; i < STATS; i++)
                await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta/one' }))
            })
          )
      )
      await pair(
        async () =>
          void times.bscan.push(
            await timed(async () => {
              if ((await must(io.scan('/thousand'))).length !== 1000) throw new Error('short scan')
            })
          ),
        async () =>
          void times.sscan.push(
            await timed(async () => {
              const page = await client.send(
                new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'thousand/', Delimiter: '/' })
              )
              if (page.Contents?.length !== 1000) throw new Error('short list')
            })
          )
      )
      const last = (key: string): string => (times[key][times[key].length - 1] * 1e3).toFixed(0)
      process.stderr.write(
        `run ${run + 1}/${runs} (ms): write ${last('bw')} vs ${last('sw')}, read ${last('br')} vs ${last('sr')}, ` +
          `${STATS} stats ${last('bstat')} vs ${last('sstat')}, scan ${last('bscan')} vs ${last('sscan')}\n`
      )
    }

    const mibps = (seconds: ReadonlyArray<number>): number => size / MiB / median(seconds)
    /** The median of each run's own ratio (bare time / backend time): the pairs share the machine's mood of the moment. */
    const paired = (backend: ReadonlyArray<number>, sdk: ReadonlyArray<number>): number =>
      median(backend.map((b, i) => sdk[i] / b))
    const rows: ReadonlyArray<Row> = [
      {
        what: `write ${size / MiB} MiB in ${block / 1024} KiB blocks`,
        backend: mibps(times.bw),
        sdk: mibps(times.sw),
        unit: 'MiB/s',
        ratio: paired(times.bw, times.sw)
      },
      {
        what: `read ${size / MiB} MiB in ${block / 1024} KiB blocks`,
        backend: mibps(times.br),
        sdk: mibps(times.sr),
        unit: 'MiB/s',
        ratio: paired(times.br, times.sr)
      },
      {
        what: `stat of a file (HeadObject), per op`,
        backend: (median(times.bstat) / STATS) * 1e3,
        sdk: (median(times.sstat) / STATS) * 1e3,
        unit: 'ms',
        ratio: paired(times.bstat, times.sstat)
      },
      {
        what: `scan of 1,000 keys (ListObjectsV2)`,
        backend: median(times.bscan) * 1e3,
        sdk: median(times.sscan) * 1e3,
        unit: 'ms',
        ratio: paired(times.bscan, times.sscan)
      }
    ]
    process.stdout.write(
      `\nS3 backend vs bare SDK against s3rver on 127.0.0.1 (partSize ${partSize / MiB} MiB, median of ${runs} runs; ratio: the median of each run's bare-SDK time over the backend's, > 1 means the backend is faster)\n\n` +
        '| workload | backend | bare SDK | unit | ratio |\n| --- | ---: | ---: | --- | ---: |\n' +
        rows
          .map(
            (r) => `| ${r.what} | ${r.backend.toFixed(1)} | ${r.sdk.toFixed(1)} | ${r.unit} | ${r.ratio.toFixed(2)}x |`
          )
          .join('\n') +
        '\n'
    )
  } finally {
    await server.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/s3: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
