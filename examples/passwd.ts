/**
 * `fp-pathio-server passwd` (and `npm run --silent passwd`): reads a
 * password and prints its scrypt hash, the `password` of a user in
 * FTP_USERS_FILE. On a terminal it asks twice, without echo; otherwise it
 * reads the first line of standard input. The password is never printed or
 * stored.
 *
 *   printf '%s\n' 'wonderland' | npx fp-pathio-server passwd
 */
import { hashPassword } from '../lib/server'

/** One line typed on the terminal, not echoed. */
const prompt = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const input = process.stdin
    process.stderr.write(question)
    input.setRawMode(true)
    input.resume()
    let typed = ''
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          input.off('data', onData)
          input.setRawMode(false)
          input.pause()
          process.stderr.write('\n')
          return resolve(typed)
        }
        if (char === '\u0003') {
          input.setRawMode(false)
          process.stderr.write('\n')
          return reject(new Error('interrupted'))
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char
      }
    }
    input.on('data', onData)
  })

/** The first line of standard input (a pipe or a file). */
const firstLine = (): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk))
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]))
  })

/** Reads the password (twice on a terminal), prints its hash; exit status 2 when there is none or the two differ. */
export const passwd = async (): Promise<void> => {
  const fail = (message: string): void => {
    process.stderr.write(`passwd: ${message}\n`)
    process.exitCode = 2
  }
  if (process.stdin.isTTY) {
    const first = await prompt('Password: ')
    const again = await prompt('Again: ')
    if (first !== again) return fail('the two passwords differ')
    if (first === '') return fail('give a password')
    process.stdout.write(hashPassword(first) + '\n')
    return
  }
  const password = await firstLine()
  if (password === '') return fail('give a password on standard input')
  process.stdout.write(hashPassword(password) + '\n')
}

if (require.main === module) void passwd()
