import { KStreamsError } from '../errors.ts';
import { type AdapterName, createKafkaClient } from '../kafka/index.ts';
import { destroyApplicationState } from '../state/lmdb/index.ts';

export interface ResetApplicationOptions {
  readonly applicationId: string;
  readonly brokers: readonly string[];
  readonly adapter?: AdapterName;
  readonly stateDir: string;
  /** Delete `<applicationId>-*-changelog` and `-repartition` topics (default true). */
  readonly deleteInternalTopics?: boolean;
  /** Delete the consumer group, so the next start reads the input from the beginning (default true). */
  readonly resetOffsets?: boolean;
}

export interface ResetApplicationResult {
  readonly deletedTopics: readonly string[];
  readonly groupDeleted: boolean;
}

/** Kafka Streams' internal topic names for this application (DESIGN.md, "State"). */
export function isInternalTopic(applicationId: string, topic: string): boolean {
  return topic.startsWith(`${applicationId}-`) && (topic.endsWith('-changelog') || topic.endsWith('-repartition'));
}

/**
 * Resets an application to a clean start, like Kafka's kafka-streams-application-reset plus cleanUp():
 * internal topics, committed offsets and local state go. Refuses while an instance is a group member,
 * because a running instance would recreate what is deleted and keep stale state.
 */
export async function resetApplication(options: ResetApplicationOptions): Promise<ResetApplicationResult> {
  const { applicationId, deleteInternalTopics = true, resetOffsets = true } = options;
  const client = createKafkaClient({ brokers: options.brokers, clientId: `${applicationId}-reset` }, options.adapter);
  const admin = client.admin();
  try {
    const [group] = await admin.describeGroups([applicationId]);
    const members = group?.members ?? [];
    if (members.length > 0) {
      const clients = [...new Set(members.map((member) => `${member.clientId}@${member.clientHost}`))].join(', ');
      throw new KStreamsError(
        'ILLEGAL_STATE',
        `Cannot reset application "${applicationId}": its consumer group has ${members.length} active member(s) (${clients}).`,
        {
          hint: 'Stop every instance of the application (or wait for their session timeout), then run the reset again.',
        },
      );
    }
    let deletedTopics: string[] = [];
    if (deleteInternalTopics) {
      deletedTopics = (await admin.listTopics()).filter((topic) => isInternalTopic(applicationId, topic)).sort();
      if (deletedTopics.length > 0) await admin.deleteTopics(deletedTopics);
    }
    // A group that never existed (or is already gone) is reported as Dead: nothing to delete.
    const groupDeleted = resetOffsets && group !== undefined && group.state !== 'Dead';
    if (groupDeleted) await admin.deleteGroups([applicationId]);
    destroyApplicationState({ stateDir: options.stateDir, applicationId });
    return { deletedTopics, groupDeleted };
  } finally {
    await admin.close();
  }
}
