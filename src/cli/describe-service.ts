import type { DescribeFormat } from './kstreams-args.ts';
import type { ServiceDefinition } from './service.ts';

/** The service's topology as Kafka Streams' text description, or as a Mermaid flowchart. */
export function describeService(service: ServiceDefinition, format: DescribeFormat): string {
  const description = service.topology().describe();
  return format === 'mermaid' ? description.toMermaid() : description.toString();
}
