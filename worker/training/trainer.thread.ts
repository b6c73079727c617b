/** Entry point of the trainer thread (worker_threads): wires the Trainer to its parent port. */
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { FromTrainer, ToTrainer } from './protocol.js';
import { Trainer } from './trainer.js';

if (!parentPort) throw new Error('trainer.thread must run in a worker thread');

/**
 * Linux keeps a nice value per thread: this one, the training compute, goes to the lowest priority from the
 * start, so the user's programs take the CPU back at once (even mid-step), while the node's own thread (the API,
 * the peer network) keeps its priority. Loading (TensorFlow.js, the data) runs at the lowest too: at normal
 * priority, many peers starting on one machine starve each other's event loops, and rounds split. Elsewhere the
 * call would lower the whole process, so it is not made here (a trainer process lowers itself: trainer-process.ts).
 */
function lowerPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(constants.priority.PRIORITY_LOW); // 19, the lowest
  } catch {
    // a sandbox may refuse it: training then runs at normal priority
  }
}

lowerPriority();
const port = parentPort;
const post = (message: FromTrainer, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
let trainer: Trainer | null = null;

port.on('message', (message: ToTrainer) => {
  if (message.type === 'init') {
    if (trainer) return;
    trainer = new Trainer(message.config, new Int32Array(message.control), post);
    const active = trainer;
    active
      .init()
      .then(() => active.run())
      .then(() => port.close())
      .catch((error: unknown) => {
        const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
        post({ type: 'error', message, ...(stack ? { stack } : {}) });
        port.close();
      });
  } else if (message.type === 'settings') {
    trainer?.updateSettings(message.sampleIntervalSeconds, message.workUnitSeconds, message.intensity);
  } else if (!trainer) {
    post({ type: 'wrote', id: message.id, error: 'the trainer has not been started' });
  } else {
    // Served between whole steps: requests that come during init wait for its weights.
    trainer.request(message);
  }
});
