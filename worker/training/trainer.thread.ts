/** Entry point of the trainer thread (worker_threads): wires the Trainer to its parent port. */
import { parentPort } from 'node:worker_threads';
import type { FromTrainer, ToTrainer } from './protocol.js';
import { Trainer } from './trainer.js';

if (!parentPort) throw new Error('trainer.thread must run in a worker thread');
const port = parentPort;
const post = (message: FromTrainer) => port.postMessage(message);
let trainer: Trainer | null = null;
/** Set once init() finished: before that the task has no weights to read or write. */
let ready: Trainer | null = null;

port.on('message', (message: ToTrainer) => {
  if (message.type === 'init') {
    if (trainer) return;
    trainer = new Trainer(message.config, new Int32Array(message.control), post);
    const active = trainer;
    active
      .init()
      .then(() => {
        ready = active;
        return active.run();
      })
      .then(() => port.close())
      .catch((error: unknown) => {
        const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
        post({ type: 'error', message, ...(stack ? { stack } : {}) });
        port.close();
      });
  } else if (message.type === 'settings') {
    trainer?.updateIntervals(message.sampleIntervalSeconds, message.workUnitSeconds);
  } else if (message.type === 'readWeights') {
    if (!ready) return post({ type: 'warning', message: 'weights asked for before the trainer was ready' });
    const { manifest, values } = ready.weights();
    port.postMessage({ type: 'weights', id: message.id, manifest, values } satisfies FromTrainer, [values.buffer as ArrayBuffer]);
  } else if (message.type === 'writeWeights') {
    let error: string | null = ready ? null : 'the trainer is not ready';
    try {
      ready?.setWeights(message.values);
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    post({ type: 'wrote', id: message.id, error });
  }
});
