/**
 * Helpers built only on the `PathIO` record: they work for every backend and
 * every middleware stack. Re-exports only.
 *
 * @since 0.1.0
 */
export { withFile } from './withFile'
export { iterByBlock, DEFAULT_BLOCK_SIZE, type IterByBlockOptions } from './iterByBlock'
export { entries, type EntriesOptions } from './entries'
export { readFile, writeFile, type ReadFileOptions, type WriteFileOptions } from './files'
export { toReadable, toWritable, type ReadableOptions, type WritableOptions } from './streams'
