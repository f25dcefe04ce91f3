import { Flags } from '../oclif.js';
import { lockFlags } from '../lock/flags.js';

/** Flags `up` adds for releases: the tag, post-deploy checks, auto-rollback, and the lock flags. */
export const releaseFlags = {
  ...lockFlags,
  tag: Flags.string({
    description:
      'release tag (default: the package version plus a short hash of the rendered files and images)',
    env: 'AISUITE_TAG',
  }),
  'post-deploy-checks': Flags.boolean({
    description: 'run the post-deploy checklist after applying and record its result in the release',
    default: false,
    env: 'AISUITE_POST_DEPLOY_CHECKS',
  }),
  'rollback-on-failure': Flags.boolean({
    description:
      'when the new release fails to come up or fails its post-deploy checks, return to the previous good release',
    default: false,
    env: 'AISUITE_ROLLBACK_ON_FAILURE',
  }),
};
