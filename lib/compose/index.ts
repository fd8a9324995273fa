/**
 * Composition: records joined into records (`mount`), a copy-on-write view
 * of one record over another (`overlay`), and limits on what a record may
 * hold (`withQuota`). Re-exports only.
 *
 * @since 0.4.0
 */
export { mount, mountOf, type MountTable, type MountOptions, type MountedPath } from './mount'
export { withQuota, makeQuotaUsage, remeasure, type QuotaOptions, type QuotaUsage } from './withQuota'
export { overlay, type OverlayOptions, type OverlayState } from './overlay'
