// Runs one Lambda invocation in this fresh process: import the handler from BUNDLE, call it
// with the JSON event in EVENT, print the result as one JSON line.
const { handler } = await import(process.env.BUNDLE);
try {
  const result = await handler(JSON.parse(process.env.EVENT ?? '{}'), { awsRequestId: 'test' });
  process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(error?.message ?? error) })}\n`);
}
process.exit(0);
