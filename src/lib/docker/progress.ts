import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { RendererName } from '../output.js';
import { redact } from '../secrets/redact.js';

/** One unit of progress: a leaf that runs, or a group whose children run concurrently. */
export interface Step {
  readonly title: string;
  readonly run?: (report: (line: string) => void) => Promise<void>;
  readonly children?: () => Step[];
  /** Children failing do not stop their siblings (the caller collects and reports the failures). */
  readonly collect?: boolean;
}

/** A `collect` group whose children failed: the group is marked failed, and `runTasks` swallows it. */
class CollectedFailures extends Error {}

/**
 * Children run to the end whatever fails (exitOnError off), then the group itself fails when any did:
 * otherwise the line-by-line renderer of CI logs ends a group with failed services on a ✔.
 */
class CollectingListr extends Listr<unknown> {
  title = '';
  signal: AbortSignal | undefined;

  override async run(context?: unknown): Promise<unknown> {
    const result = await super.run(context);
    const failed = this.tasks.filter((t) => t.hasFailed()).length;
    // after Ctrl-C every child stops as failed: that is an interruption, not failures
    if (failed > 0 && this.signal?.aborted) throw new CollectedFailures(`${this.title}: interrupted`);
    if (failed > 0) throw new CollectedFailures(`${this.title}: ${failed} of ${this.tasks.length} failed`);
    return result;
  }
}

function toTask(step: Step, signal?: AbortSignal): ListrTask {
  return {
    title: step.title,
    task: async (_ctx, task) => {
      if (step.children) {
        const children = step.children().map((child) => toTask(child, signal));
        if (!step.collect) return task.newListr(children, { concurrent: true, exitOnError: true });
        const group = new CollectingListr(children, { concurrent: true, exitOnError: false }, task.task);
        group.title = step.title;
        group.signal = signal;
        return group;
      }
      let last = '';
      await step.run?.((line) => {
        last = redact(line);
        // concurrent steps interleave in line-by-line output: say whose line it is
        task.output = `${step.title}: ${last}`;
      });
      if (last) task.title = `${step.title}: ${last}`;
      return undefined;
    },
  };
}

/**
 * Run steps in order with listr2 progress on stderr (stdout stays for results). Failures of `collect`
 * groups are swallowed here: the caller keeps its own record of them and throws one aggregate.
 */
export async function runTasks(
  steps: readonly Step[],
  options: { renderer: RendererName; signal?: AbortSignal },
): Promise<void> {
  const output = new ProcessOutput(process.stderr, process.stderr);
  const logger = new ListrLogger({ processOutput: output });
  const list = new Listr(
    steps.map((step) => toTask(step, options.signal)),
    {
      concurrent: false,
      exitOnError: true,
      registerSignalListeners: false,
      renderer: options.renderer,
      fallbackRenderer: 'verbose',
      rendererOptions: { logger, collapseSubtasks: false, showErrorMessage: false } as never,
      fallbackRendererOptions: { logger } as never,
      collectErrors: false,
    },
  );
  try {
    await list.run();
  } catch (error) {
    // the caller has the collected failures; a collect group is the last step that runs
    if (!(error instanceof CollectedFailures)) throw error;
  }
}
