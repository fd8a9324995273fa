/**
 * Environment variables as io-ts codecs: each one decodes a variable's raw
 * value (absent or blank: the default) into what the server uses, and
 * fails with what the value must be and what it got, so the line that
 * stops a start is `NAME must be ..., got '...'` (`reportVariable`).
 * The program's fronts read their variables with these (lib/ftp/environment.ts);
 * internal to the server layer (not exported by `fp-pathio/server`).
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import * as net from 'node:net'
import * as t from 'io-ts'

/** A variable's raw value, as `process.env` gives it. */
export type Raw = string | undefined

/** A decode-only codec of a variable: the value it decodes to decodes to itself (`is`), and encodes as itself. */
export type VariableCodec<A> = t.Type<A, A, Raw>

/** A variable's value, trimmed; blank is absent. */
const given = (raw: Raw): string | undefined => (raw === undefined || raw.trim() === '' ? undefined : raw.trim())

/** `parse` gets the raw value and says what it must be (with what it got) when it is not. */
const variable = <A>(name: string, parse: (raw: Raw) => E.Either<string, A>): VariableCodec<A> =>
  new t.Type<A, A, Raw>(
    name,
    (u): u is A => E.isRight(parse(u as Raw)),
    (raw, c) => E.match((what: string) => t.failure<A>(raw, c, what), t.success<A>)(parse(raw)),
    t.identity
  )

/** A count (`unit` says of what, in the message), `fallback` when absent. */
export const count = (fallback: number, unit = ''): VariableCodec<number> =>
  variable('Count', (raw) => {
    const value = given(raw)
    if (value === undefined) return E.right(fallback)
    const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
    return Number.isSafeInteger(number)
      ? E.right(number)
      : E.left(`must be a non-negative integer${unit}, got '${value}'`)
  })

/** A port number, `fallback` when absent. */
export const port = <F extends number | undefined>(fallback: F): VariableCodec<number | F> =>
  variable('Port', (raw) => {
    const value = given(raw)
    if (value === undefined) return E.right(fallback)
    const number = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
    return number >= 0 && number <= 65535 ? E.right(number) : E.left(`must be a port number (0-65535), got '${value}'`)
  })

/** `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (any case); absent is off. */
export const flag: VariableCodec<boolean> = variable('Flag', (raw) => {
  const value = (given(raw) ?? '0').toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return E.right(true)
  if (['0', 'false', 'no', 'off'].includes(value)) return E.right(false)
  return E.left(`must be 1 or 0, got '${raw}'`)
})

/** One of `values` (any case), `fallback` when absent. */
export const oneOf = <V extends string>(values: ReadonlyArray<V>, fallback: V): VariableCodec<V> =>
  variable('OneOf', (raw) => {
    const value = (given(raw) ?? fallback).toLowerCase()
    const found = values.find((one) => one === value)
    return found !== undefined
      ? E.right(found)
      : E.left(`must be ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}, got '${raw}'`)
  })

/** An IP address to listen on, `fallback` when absent. */
export const listenAddress = (fallback: string): VariableCodec<string> =>
  variable('ListenAddress', (raw) => {
    const value = given(raw) ?? fallback
    return net.isIP(value) === 0
      ? E.left(`must be an IP address (127.0.0.1, 0.0.0.0, ::, ::1), got '${value}'`)
      : E.right(value)
  })

/** An IPv4 address, or absent. */
export const ipv4: VariableCodec<string | undefined> = variable('IPv4', (raw) => {
  const value = given(raw)
  return value === undefined || net.isIPv4(value) ? E.right(value) : E.left(`must be an IPv4 address, got '${value}'`)
})

/** An absolute path under the served root, `fallback` when absent. */
export const rootPath = (fallback: string, root: string): VariableCodec<string> =>
  variable('RootPath', (raw) => {
    const value = given(raw) ?? fallback
    return value.startsWith('/') && !value.includes('\0')
      ? E.right(value)
      : E.left(`must be an absolute path under ${root}, got '${value}'`)
  })

/** The line a variable's failure is: `NAME must be ..., got '...'` (the name is the context's root, as `readVariable` decodes). */
export const reportVariable = (errors: t.Errors): string => {
  const [first] = errors
  const name = first?.context[0]?.key ?? 'a variable'
  return `${name} ${first?.message ?? 'is not valid'}`
}

/** Decodes the variable `name` of `env` with `codec`; `Left` is the line naming it. */
export const readVariable = <A>(
  env: Readonly<Record<string, Raw>>,
  name: string,
  codec: t.Decoder<Raw, A>
): E.Either<string, A> =>
  E.mapLeft(reportVariable)(
    codec.validate(env[name], [{ key: name, type: codec as t.Decoder<unknown, unknown>, actual: env[name] }])
  )
