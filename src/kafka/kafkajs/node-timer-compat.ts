import { createRequire } from 'node:module';

interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const checkPendingRequestsIntervalMs = 10;
let patched = false;

/**
 * kafkajs 2.2.4 schedules its throttle check with `throttledUntil - Date.now()`, which is hugely negative
 * when nothing is throttled; Node 24 prints a TimeoutNegativeWarning for it. Same schedule, never negative.
 */
export function patchKafkaJsNegativeTimeout(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueInternals };
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueInternals,
  ) {
    if (this.throttleCheckTimeoutId) return;
    const untilThrottleEnds = this.throttledUntil - Date.now();
    const delay =
      untilThrottleEnds > 0 ? untilThrottleEnds : this.pending.length > 0 ? checkPendingRequestsIntervalMs : 0;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
