/** Picks the queue backend from the configuration. */
import type { JobQueue, QueueConfig } from './queue.js';
import { createLocalQueue } from './local/local-queue.js';
import { createBullmqQueue } from './bullmq/bullmq-queue.js';

export function createQueue(config: QueueConfig): Promise<JobQueue> {
  return config.kind === 'local' ? createLocalQueue(config) : createBullmqQueue(config);
}
