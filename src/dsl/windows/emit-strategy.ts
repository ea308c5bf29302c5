/**
 * When a windowed aggregation forwards its results (Kafka Streams' EmitStrategy): on every update of a
 * window (the default, deduplicated by the store cache), or once per window, when stream time passes its
 * end + grace (final results only).
 */
export interface EmitStrategy {
  readonly type: 'on-window-update' | 'on-window-close';
}

export const EmitStrategy = {
  onWindowUpdate: (): EmitStrategy => ({ type: 'on-window-update' }),
  onWindowClose: (): EmitStrategy => ({ type: 'on-window-close' }),
} as const;
