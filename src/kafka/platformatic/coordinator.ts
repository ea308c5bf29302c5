import { type Base, type Connection, FindCoordinatorKeyTypes, findCoordinatorV3 } from '@platformatic/kafka';

export type CoordinatorKind = 'group' | 'transaction';

/** Any broker of the cluster: FindCoordinator can be asked of each one. */
export async function anyBrokerConnection(client: Base): Promise<Connection> {
  const metadata = await client.metadata({ topics: [] });
  const brokers = [...metadata.brokers.values()];
  const broker = brokers[Math.floor(Math.random() * brokers.length)] ?? brokers[0];
  if (!broker) throw new Error('The cluster metadata lists no brokers.');
  return client.connections.get(broker);
}

/**
 * A connection to the coordinator of a group (or transactional id). The library's own lookup is tied to
 * its Consumer's group membership, which this adapter does not use (see group-membership.ts).
 */
export async function coordinatorConnection(client: Base, key: string, kind: CoordinatorKind): Promise<Connection> {
  const connection = await anyBrokerConnection(client);
  const keyType = kind === 'group' ? FindCoordinatorKeyTypes.GROUP : FindCoordinatorKeyTypes.TRANSACTION;
  const response = await findCoordinatorV3.api.async(connection, keyType, [key]);
  const coordinator = response.coordinators[0];
  if (!coordinator) throw new Error(`No coordinator was found for ${kind} "${key}".`);
  return client.connections.get({ host: coordinator.host, port: coordinator.port });
}
