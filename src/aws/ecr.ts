import { BUDGET, sdkTimeouts } from '../deadline.ts';
import { describeAwsError, regionalClients } from './lazy-sdk.ts';

// The image a build runs, pinned by digest. A tag (`daadaar-backend:latest`) names whatever was
// pushed last; a digest names one image forever, so the review resolves the tag once, shows
// the digest, and the build pulls `repo@sha256:…`. ECR's DescribeImages answers for a tag or a
// digest (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html);
// for a multi-platform image it returns the image index's digest, which is also what
// `docker pull` records in RepoDigests, so the build can compare the two.

export interface ImageReference {
  /** `123456789012.dkr.ecr.us-east-1.amazonaws.com` */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** The AWS account, from an ECR registry host. */
  registryId?: string;
  /** The region, from an ECR registry host. */
  region?: string;
}

export type DescribedImage = { ok: true; digest: string; tags: string[] } | { ok: false; reason: string };

export interface ImageRegistry {
  describeImage(image: ImageReference, region: string): Promise<DescribedImage>;
}

export type ResolvedImage = { ok: true; uri: string; digest: string } | { ok: false; reason: string };

// Registry hosts: https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function parseImageUri(uri: string): { ok: true; image: ImageReference } | { ok: false; reason: string } {
  const text = uri.trim();
  const slash = text.indexOf('/');
  if (slash <= 0) return { ok: false, reason: `${text || '(empty)'} is not a registry image URI (registry/repository[:tag][@digest])` };
  const registry = text.slice(0, slash);
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { ok: false, reason: `${text}: the digest is not sha256:<64 hex digits>` };
  }
  const colon = rest.lastIndexOf(':');
  const repository = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? undefined : rest.slice(colon + 1);
  if (!repository || tag === '') return { ok: false, reason: `${text}: no repository or an empty tag` };
  const host = ECR_HOST.exec(registry);
  return {
    ok: true,
    image: {
      registry,
      repository,
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
      ...(host ? { registryId: host[1], region: host[2] } : {}),
    },
  };
}

/**
 * `repo:tag` (or bare `repo`, which Docker reads as `:latest`) → `repo@sha256:…`. An URI that
 * already carries a digest is checked too: a digest that is not in the repository would only
 * fail later, in the build, after the approvals.
 */
export async function resolveImageDigest(
  imageUri: string,
  region: string,
  registry: ImageRegistry = defaultRegistry(),
): Promise<ResolvedImage> {
  const parsed = parseImageUri(imageUri);
  if (!parsed.ok) return parsed;
  const image = parsed.image;
  if (!image.registryId) return { ok: false, reason: `${image.registry} is not an ECR registry: cannot resolve ${imageUri} to a digest` };
  const described = await registry.describeImage(image, image.region ?? region);
  if (!described.ok) return described;
  if (image.digest && described.digest !== image.digest) {
    return { ok: false, reason: `${imageUri}: ECR reports digest ${described.digest} for it` };
  }
  return { ok: true, uri: `${image.registry}/${image.repository}@${described.digest}`, digest: described.digest };
}

let shared: ImageRegistry | undefined;
function defaultRegistry(): ImageRegistry {
  shared ??= new SdkImageRegistry();
  return shared;
}

export class SdkImageRegistry implements ImageRegistry {
  // Loaded on first use: only a review that resolves an image needs ECR.
  readonly #client = regionalClients(
    () => import('@aws-sdk/client-ecr'),
    (sdk, region) => new sdk.ECRClient({ region, ...sdkTimeouts(BUDGET.ecr) }),
  );

  async describeImage(image: ImageReference, region: string): Promise<DescribedImage> {
    const shown = `${image.repository}${image.digest ? `@${image.digest}` : `:${image.tag ?? 'latest'}`}`;
    try {
      const { client, sdk } = await this.#client(region);
      const out = await client.send(
        new sdk.DescribeImagesCommand({
          registryId: image.registryId,
          repositoryName: image.repository,
          imageIds: [image.digest ? { imageDigest: image.digest } : { imageTag: image.tag ?? 'latest' }],
        }),
      );
      const found = out.imageDetails?.[0];
      if (!found?.imageDigest) return { ok: false, reason: `ECR returned no image for ${shown}` };
      return { ok: true, digest: found.imageDigest, tags: found.imageTags ?? [] };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ImageNotFoundException') return { ok: false, reason: `ECR has no image ${shown} (ImageNotFoundException)` };
      if (name === 'RepositoryNotFoundException') {
        return {
          ok: false,
          reason: `ECR has no repository ${image.repository} in registry ${image.registryId} (RepositoryNotFoundException)`,
        };
      }
      return { ok: false, reason: `Cannot describe ${shown} in ECR: ${describeAwsError(error)}` };
    }
  }
}
