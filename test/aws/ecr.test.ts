import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageUri, resolveImageDigest, SdkImageRegistry } from '../../src/aws/ecr.ts';
import { FakeAws } from '../support/fake-aws.ts';

// The real ECR client, against a local server speaking ECR's JSON 1.1 protocol.
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const LATEST = `sha256:${'1'.repeat(64)}`;
const OLDER = `sha256:${'2'.repeat(64)}`;

describe('resolveImageDigest', () => {
  const aws = new FakeAws();
  const registry = new SdkImageRegistry();
  const saved = { ...process.env };

  beforeAll(async () => {
    await aws.start();
    aws.ecrImages.set('daadaar-backend', [
      { imageDigest: LATEST, imageTags: ['latest', 'v42'] },
      { imageDigest: OLDER, imageTags: ['v41'] },
    ]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await aws.stop();
  });

  it('pins a tag to the digest ECR holds for it', async () => {
    const resolved = await resolveImageDigest(`${REGISTRY}/daadaar-backend:latest`, 'us-east-1', registry);
    expect(resolved).toEqual({ ok: true, uri: `${REGISTRY}/daadaar-backend@${LATEST}`, digest: LATEST });
    const call = aws.callsOf('DescribeImages').at(-1);
    expect(call).toEqual({ registryId: '123456789012', repositoryName: 'daadaar-backend', imageIds: [{ imageTag: 'latest' }] });
  });

  it('reads a bare repository as :latest, as Docker does', async () => {
    expect(await resolveImageDigest(`${REGISTRY}/daadaar-backend`, 'us-east-1', registry)).toMatchObject({ ok: true, digest: LATEST });
  });

  it('checks an URI that already carries a digest', async () => {
    const pinned = await resolveImageDigest(`${REGISTRY}/daadaar-backend@${OLDER}`, 'us-east-1', registry);
    expect(pinned).toEqual({ ok: true, uri: `${REGISTRY}/daadaar-backend@${OLDER}`, digest: OLDER });
    expect(aws.callsOf('DescribeImages').at(-1)?.imageIds).toEqual([{ imageDigest: OLDER }]);
    const gone = await resolveImageDigest(`${REGISTRY}/daadaar-backend@sha256:${'9'.repeat(64)}`, 'us-east-1', registry);
    expect(gone).toMatchObject({ ok: false, reason: expect.stringContaining('ImageNotFoundException') });
  });

  it('says why a tag cannot be resolved: no such tag, no such repository, not ECR', async () => {
    expect(await resolveImageDigest(`${REGISTRY}/daadaar-backend:nope`, 'us-east-1', registry)).toEqual({
      ok: false,
      reason: 'ECR has no image daadaar-backend:nope (ImageNotFoundException)',
    });
    expect(await resolveImageDigest(`${REGISTRY}/elsewhere:latest`, 'us-east-1', registry)).toEqual({
      ok: false,
      reason: 'ECR has no repository elsewhere in registry 123456789012 (RepositoryNotFoundException)',
    });
    expect(await resolveImageDigest('docker.io/library/postgres:15', 'us-east-1', registry)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not an ECR registry'),
    });
  });

  it('says when ECR cannot be reached at all', async () => {
    aws.fail('DescribeImages', { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform ecr:DescribeImages' });
    const denied = await resolveImageDigest(`${REGISTRY}/daadaar-backend:latest`, 'us-east-1', registry);
    expect(denied).toEqual({
      ok: false,
      reason: 'Cannot describe daadaar-backend:latest in ECR: AccessDeniedException: not authorized to perform ecr:DescribeImages',
    });
  });
});

describe('parseImageUri', () => {
  it('reads registry, repository path, tag and digest', () => {
    expect(parseImageUri(`${REGISTRY}/team/daadaar-backend:v1@${LATEST}`)).toEqual({
      ok: true,
      image: {
        registry: REGISTRY,
        repository: 'team/daadaar-backend',
        tag: 'v1',
        digest: LATEST,
        registryId: '123456789012',
        region: 'us-east-1',
      },
    });
    expect(parseImageUri('daadaar-backend:latest')).toMatchObject({ ok: false });
    expect(parseImageUri(`${REGISTRY}/daadaar-backend@sha256:short`)).toMatchObject({ ok: false });
  });
});
