export * from './memory'
