/** The tasks a run can train. Today the GAN, with any of its models; a language model joins here. */
import type { Task } from '../task.js';
import type { TrainerConfig } from '../protocol.js';
import { createGanTask } from './gan-task.js';

export function createTask(config: Pick<TrainerConfig, 'model' | 'dataset' | 'runId' | 'shard' | 'shardCount'>): Task {
  return createGanTask(config);
}
