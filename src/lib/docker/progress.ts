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

function toTask(step: Step): ListrTask {
  return {
    title: step.title,
    task: async (_ctx, task) => {
      if (step.children) {
        const children = step.children();
        return task.newListr(children.map(toTask), {
          concurrent: true,
          exitOnError: !step.collect,
        });
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
  const list = new Listr(steps.map(toTask), {
    concurrent: false,
    exitOnError: true,
    registerSignalListeners: false,
    renderer: options.renderer,
    fallbackRenderer: 'verbose',
    rendererOptions: { logger, collapseSubtasks: false, showErrorMessage: false } as never,
    fallbackRendererOptions: { logger } as never,
    collectErrors: false,
  });
  await list.run();
}
