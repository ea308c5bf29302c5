/**
 * The subscription store's key (Kafka Streams' CombinedKeySchema): the foreign key's length and bytes,
 * then the primary key's bytes, so a prefix scan by foreign key finds every left row subscribed to it.
 */
export function combinedKey(foreignKey: Buffer, primaryKey: Buffer): Buffer {
  return Buffer.concat([combinedKeyPrefix(foreignKey), primaryKey]);
}

export function combinedKeyPrefix(foreignKey: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(foreignKey.length);
  return Buffer.concat([length, foreignKey]);
}

export function primaryKeyBytes(combined: Buffer): Buffer {
  return combined.subarray(4 + combined.readInt32BE(0));
}
