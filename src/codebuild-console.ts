// Where a person opens a build: the CodeBuild console's page for it. A pure link, shared by the
// record's events, the review message, the thread and /daadaar status, so it sits below all of them.
export function buildConsoleUrl(buildId: string, region: string): string {
  const [project] = buildId.split(':');
  return `https://${region}.console.aws.amazon.com/codesuite/codebuild/projects/${encodeURIComponent(project ?? '')}/build/${encodeURIComponent(buildId)}/?region=${region}`;
}
