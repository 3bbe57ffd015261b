// One job at a time: the networks share one device and one set of sessions. Waiting jobs can be
// cancelled before they start; a running job sees its AbortSignal (the T2S loop checks it every
// decode step). A failing job rejects its own promise and never stops the queue.
import { MynahError } from '../errors';

export type JobId = number;

interface Pending {
  id: JobId;
  controller: AbortController;
  start: () => void;
}

export class JobQueue {
  private nextId = 1;
  private running?: Pending;
  private readonly waiting: Pending[] = [];

  /** Schedules `work`; returns its id at once and its result as a promise. */
  submit<T>(work: (signal: AbortSignal) => Promise<T>): { id: JobId; result: Promise<T> } {
    const id = this.nextId++;
    const controller = new AbortController();
    let start!: () => void;
    const result = new Promise<T>((resolve, reject) => {
      start = () => {
        if (controller.signal.aborted) {
          reject(cancelled(id));
          this.finish();
          return;
        }
        work(controller.signal)
          .then(resolve, (e) => reject(controller.signal.aborted ? cancelled(id) : e))
          .finally(() => this.finish());
      };
    });
    this.waiting.push({ id, controller, start });
    this.pump();
    return { id, result };
  }

  /** Cancels a waiting or running job. Returns false when no such job is pending. */
  cancel(id: JobId): boolean {
    if (this.running?.id === id) {
      this.running.controller.abort();
      return true;
    }
    const i = this.waiting.findIndex((p) => p.id === id);
    if (i < 0) return false;
    this.waiting[i].controller.abort();
    return true;
  }

  get pending(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  get current(): JobId | undefined {
    return this.running?.id;
  }

  private finish() {
    this.running = undefined;
    this.pump();
  }

  private pump() {
    if (this.running) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.running = next;
    next.start();
  }
}

function cancelled(id: JobId): MynahError {
  return new MynahError('CANCELLED', `Job ${id} was cancelled.`);
}
