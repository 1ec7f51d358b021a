/**
 * How urgent a message is when a channel is saturated: `final` (done, failed, cancelled…) goes first,
 * then `state` changes, then `progress`. Nothing is ever dropped; lower classes wait and get merged.
 */
export type MessagePriority = 'final' | 'state' | 'progress';
