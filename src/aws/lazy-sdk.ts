/**
 * The AWS SDK packages are CommonJS. Imported dynamically from an esbuild ESM bundle, their
 * exports arrive only under `default`; under Node itself, both ways. Take whichever holds them.
 */
export function sdkExports<T extends object>(module: T): T {
  const fallback = (module as { default?: T }).default;
  return fallback && typeof fallback === 'object' ? fallback : module;
}
