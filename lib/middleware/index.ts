export * from './wrap'
export { withTimeout } from './withTimeout'
