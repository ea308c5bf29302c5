import type { Cluster } from 'kafkajs';

/**
 * What this member learns about its group beyond kafkajs's public events: the generation id (not in the
 * GROUP_JOIN payload), its own assignment's user data (kafkajs decodes the SyncGroup answer and drops it),
 * and a moment before every JoinGroup to give partitions up (kafkajs has no revoke callback).
 */
export interface MembershipObserver {
  /** Awaited before each JoinGroup, like the Java consumer's onJoinPrepare. */
  beforeJoin(): Promise<void>;
  joined(generationId: number, memberId: string): void;
  synced(memberAssignment: Buffer): void;
}

interface CoordinatorCalls {
  joinGroup(request: unknown): Promise<{ generationId: number; memberId: string }>;
  syncGroup(request: unknown): Promise<{ memberAssignment: Buffer }>;
}

const observed = Symbol('kstreams:observedCoordinator');

/**
 * Hooks the consumer's own cluster (kafkajs gives it to partition assigners; each consumer has its own).
 * The consumer calls findGroupCoordinator at the start of every join and nowhere else we use, and the
 * coordinator it returns is the broker that answers JoinGroup and SyncGroup. Checked against kafkajs 2.2.4.
 */
export function observeGroupMembership(cluster: Cluster, observer: MembershipObserver): void {
  const findGroupCoordinator = cluster.findGroupCoordinator.bind(cluster);
  cluster.findGroupCoordinator = async (group) => {
    await observer.beforeJoin();
    const coordinator = await findGroupCoordinator(group);
    const calls = coordinator as unknown as CoordinatorCalls & { [observed]?: true };
    if (calls[observed] !== true) {
      const joinGroup = calls.joinGroup.bind(coordinator);
      const syncGroup = calls.syncGroup.bind(coordinator);
      calls.joinGroup = async (request) => {
        const response = await joinGroup(request);
        observer.joined(response.generationId, response.memberId);
        return response;
      };
      calls.syncGroup = async (request) => {
        const response = await syncGroup(request);
        observer.synced(response.memberAssignment);
        return response;
      };
      calls[observed] = true;
    }
    return coordinator;
  };
}
