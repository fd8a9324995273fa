/**
 * A first example: drive the memory backend from an fp-ts pipeline and print
 * what it did. Run it with `npm run example`.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as T from 'fp-ts/Task'
import { makeMemoryPathIO, type PathIO, type PathIOError } from '../lib'

const log = (line: string) => TE.fromIO<void, PathIOError>(() => console.log(line))

/** Writes `text` to `path` and closes the handle. */
const put = (io: PathIO, path: string, text: string) =>
  pipe(
    io.open(path, 'wb'),
    TE.chain((h) =>
      pipe(
        io.write(h, Buffer.from(text)),
        TE.chainFirst(() => io.close(h))
      )
    )
  )

const program = (io: PathIO) =>
  pipe(
    io.mkdir('/pub/docs', { parents: true }),
    TE.chain(() => log('mkdir -p /pub/docs')),
    TE.chain(() => put(io, '/pub/docs/hello.txt', 'hello, world\n')),
    TE.chain((n) => log(`wrote ${n} bytes to /pub/docs/hello.txt`)),
    TE.chain(() => io.scan('/pub/docs')),
    TE.chain((entries) => log(entries.map((e) => `  ${e.name}  ${e.stat.size} bytes`).join('\n'))),
    TE.chain(() => io.rename('/pub/docs/hello.txt', '/pub/hello.txt')),
    TE.chain((to) => log(`renamed to ${to}`)),
    // A failure is a value: branch on its reason.
    TE.chain(() => io.rmdir('/pub')),
    TE.orElse((e) => (e.reason === 'NotEmpty' ? log(`rmdir /pub refused: ${e.message}`) : TE.left(e)))
  )

pipe(
  program(makeMemoryPathIO()),
  TE.match(
    (e) => {
      console.error(`failed: ${e.message}`)
      process.exitCode = 1
    },
    () => console.log('done')
  ),
  T.map(() => undefined)
)()
