/** Closes a store, failing the test instead of hanging (lmdb-js close was seen to hang once). */
export async function closeWithin(store: { close(): Promise<void> }, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`close() took more than ${ms} ms`)), ms);
  });
  try {
    await Promise.race([store.close(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
