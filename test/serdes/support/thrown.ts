/** The error `action` throws; fails the test when it returns instead. */
export function thrown(action: () => unknown): Error & { readonly code?: string; readonly hint?: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`);
  }
  throw new Error('expected the action to throw, it returned');
}
