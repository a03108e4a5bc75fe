/**
 * Work an emulated service finishes later (an account creation, a closure), run lazily on the
 * injected clock: `runDue()` runs every task whose time has come, oldest first, so tests
 * decide when "later" is without waiting.
 */

interface Task {
  readonly at: number;
  readonly run: (at: number) => void;
}

/** A queue of tasks due at epoch-ms times. */
export class DeferredTasks {
  private tasks: Task[] = [];

  constructor(private readonly now: () => number) {}

  /** Runs `run(at)` once the clock reads `at` or later. */
  schedule(at: number, run: (at: number) => void): void {
    this.tasks.push({ at, run });
  }

  /** Runs the due tasks in time order (a task may schedule more); returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const now = this.now();
      const due = this.tasks.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) return ran;
      this.tasks = this.tasks.filter((t) => t !== due);
      due.run(due.at);
      ran++;
    }
  }

  /** How many tasks wait. */
  get size(): number {
    return this.tasks.length;
  }
}
