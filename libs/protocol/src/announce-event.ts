/**
 * The announce event, one numbering for HTTP (BEP 3 `event=`) and UDP (BEP 15 `event` field):
 * 0 none, 1 completed, 2 started, 3 stopped. Shared by the codecs and the swarm store.
 */
export type AnnounceEvent = 0 | 1 | 2 | 3;
export const EVENT_NONE = 0;
export const EVENT_COMPLETED = 1;
export const EVENT_STARTED = 2;
export const EVENT_STOPPED = 3;
