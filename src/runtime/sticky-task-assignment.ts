/** What the leader knows of one member when placing tasks. */
export interface MemberTaskClaims {
  readonly memberId: string;
  /** Tasks the member ran before the rebalance. */
  readonly activeTasks: ReadonlySet<string>;
  /** Tasks the member keeps local state for. */
  readonly stateTasks: ReadonlySet<string>;
}

/**
 * Places `tasks` (in their canonical order) on the members, balanced by task count (every member gets
 * floor(n/m) or one more) and sticky, in three passes:
 * 1. a task stays with its previous owner while the owner has room; an owner over its share first gives
 *    up the tasks that a member short of tasks keeps state for (a restarted member gets its tasks back);
 * 2. a task that moves goes to a member with local state for it;
 * 3. the rest go to the least loaded members.
 * Inputs are sorted (members by id, tasks by their given order) and ties broken by member id, so the same
 * input always gives the same output. Returns every member's tasks in canonical order.
 */
export function assignTasksSticky(
  tasks: readonly string[],
  members: readonly MemberTaskClaims[],
): ReadonlyMap<string, readonly string[]> {
  const sorted = [...members].sort((a, b) => compare(a.memberId, b.memberId));
  const owned = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
  if (sorted.length === 0) return owned;
  const order = new Map(tasks.map((task, i) => [task, i]));
  const byOrder = (a: string, b: string) => order.get(a)! - order.get(b)!;
  const base = Math.floor(tasks.length / sorted.length);
  let extraSlots = tasks.length % sorted.length;
  const placed = new Set<string>();
  const room = (memberId: string, allowExtra: boolean) => {
    const count = owned.get(memberId)!.length;
    return count < base || (allowExtra && count === base && extraSlots > 0);
  };
  const place = (memberId: string, task: string) => {
    const list = owned.get(memberId)!;
    list.push(task);
    if (list.length > base) extraSlots--;
    placed.add(task);
  };

  // Two members may claim one task (a zombie and its successor): the first by member id keeps it.
  const previousOwner = new Map<string, string>();
  for (const member of sorted) {
    for (const task of member.activeTasks)
      if (order.has(task) && !previousOwner.has(task)) previousOwner.set(task, member.memberId);
  }
  const previousCount = (memberId: string) => [...previousOwner.values()].filter((id) => id === memberId).length;
  const hungry = sorted.filter((m) => previousCount(m.memberId) < base);
  const wantedElsewhere = (task: string, memberId: string) =>
    hungry.filter((m) => m.memberId !== memberId && m.stateTasks.has(task)).length;

  for (const allowExtra of [false, true]) {
    for (const { memberId } of sorted) {
      // An extra slot is not spent on keeping a task that a member short of tasks has state for.
      const kept = tasks
        .filter((task) => previousOwner.get(task) === memberId && !placed.has(task))
        .filter((task) => !allowExtra || wantedElsewhere(task, memberId) === 0)
        .sort((a, b) => wantedElsewhere(a, memberId) - wantedElsewhere(b, memberId) || byOrder(a, b));
      for (const task of kept) if (room(memberId, allowExtra)) place(memberId, task);
    }
  }

  const leastLoaded = (candidates: readonly MemberTaskClaims[], allowExtra: boolean) => {
    let best: string | undefined;
    for (const { memberId } of candidates) {
      if (!room(memberId, allowExtra)) continue;
      if (best === undefined || owned.get(memberId)!.length < owned.get(best)!.length) best = memberId;
    }
    return best;
  };
  for (const allowExtra of [false, true]) {
    for (const task of tasks) {
      if (placed.has(task)) continue;
      // Its previous owner had no room for it, or gave it up for a member with state that needs tasks.
      const withState = sorted.filter((m) => m.stateTasks.has(task) && m.memberId !== previousOwner.get(task));
      const memberId = leastLoaded(withState, allowExtra);
      if (memberId !== undefined) place(memberId, task);
    }
  }
  for (const task of tasks) {
    if (placed.has(task)) continue;
    // Total room equals the task count, so a member with room always exists here.
    place(leastLoaded(sorted, true)!, task);
  }
  for (const list of owned.values()) list.sort(byOrder);
  return owned;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
