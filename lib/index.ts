/**
 * fp-pathio: a path-IO layer in the style of fp-ts. Re-exports only.
 *
 * @since 0.1.0
 */
export * from './PathIO'
export * from './Operations'
export * from './Capabilities'
export * from './PathIOError'
export * from './backends'
export * from './middleware'
export * from './compose'
export * from './helpers'
