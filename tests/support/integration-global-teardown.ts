export default async function globalTeardown(): Promise<void> {
  const ddb = (globalThis as { __switchyardDynamo?: { stop(): Promise<void> } }).__switchyardDynamo;
  await ddb?.stop();
}
