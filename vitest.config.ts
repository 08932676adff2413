import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Database tests create their own databases; files may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The AWS SDK's NodeVersionSupportWarning (@aws-sdk/core, on Node < 22), printed once by every
    // worker that builds a client, says nothing a test checks. The processes the tests start get
    // their own environment, so test/logging.test.ts still sees it come through the log.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
