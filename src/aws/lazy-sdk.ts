/**
 * The AWS SDK packages are CommonJS. Imported dynamically from an esbuild ESM bundle, their
 * exports arrive only under `default`; under Node itself, both ways. Take whichever holds them.
 */
export function sdkExports<T extends object>(module: T): T {
  const fallback = (module as { default?: T }).default;
  return fallback && typeof fallback === 'object' ? fallback : module;
}

/**
 * An SDK package imported on first use rather than at module load: most cold starts never
 * need a given service, and each SDK costs parse time.
 */
export function lazySdk<Sdk extends object>(load: () => Promise<Sdk>): () => Promise<Sdk> {
  let loading: Promise<Sdk> | undefined;
  return () => {
    loading ??= load().then(sdkExports);
    return loading;
  };
}

/** One client per region (per gateway instance), over a lazily imported SDK package. */
export function regionalClients<Sdk extends object, Client>(
  load: () => Promise<Sdk>,
  create: (sdk: Sdk, region: string) => Client,
): (region: string) => Promise<{ sdk: Sdk; client: Client }> {
  const loadSdk = lazySdk(load);
  const clients = new Map<string, Client>();
  return async (region) => {
    const sdk = await loadSdk();
    let client = clients.get(region);
    if (!client) {
      client = create(sdk, region);
      clients.set(region, client);
    }
    return { sdk, client };
  };
}

/** "Name: message" of an SDK (or any) error, for a person to read. */
export function describeAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}
