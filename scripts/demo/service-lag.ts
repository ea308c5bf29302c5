/** The sum of a service's `kstreams_consumer_lag_records` samples, or undefined when /metrics does not answer. */
export async function serviceLag(baseUrl: string): Promise<number | undefined> {
  try {
    const answer = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
    if (answer.status !== 200) return undefined;
    return sumSamples(await answer.text(), 'kstreams_consumer_lag_records');
  } catch {
    return undefined;
  }
}

/**
 * Sums every sample of one metric in Prometheus text format (all label sets): 0 when it is declared
 * without samples (no partitions owned), undefined when it is not there at all.
 */
export function sumSamples(text: string, metric: string): number | undefined {
  let sum = text.includes(`# TYPE ${metric} `) ? 0 : undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}
