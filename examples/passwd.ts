/**
 * `npm run --silent passwd`: reads one password from standard input (the
 * first line) and prints its scrypt hash, the `password` of a user in
 * FTP_USERS_FILE. The password is never printed or stored.
 *
 *   printf '%s\n' 'wonderland' | npm run --silent passwd
 */
import { hashPassword } from '../lib/server'

const chunks: Array<Buffer> = []
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk))
process.stdin.on('end', () => {
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]
  if (password === '') {
    process.stderr.write('passwd: give a password on standard input\n')
    process.exit(2)
  }
  process.stdout.write(hashPassword(password) + '\n')
})
