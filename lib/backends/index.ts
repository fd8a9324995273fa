export * from './memory'
export * from './node'
export * from './pool'
