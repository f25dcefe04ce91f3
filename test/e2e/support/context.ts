/** What the e2e global setup prepared, handed to the tests with `inject('e2e')`. */
export interface E2eContext {
  /** The private compiled copy of the package the tests run (`<root>/bin/run.js`). */
  readonly packageRoot: string;
  /** Node base image for the services image build (the stand-in, with Node headers). */
  readonly nodeImage: string;
  /** The services image the setup built (the tag `up` computes for the same content). */
  readonly servicesImage: string;
  /** Service name -> stand-in image (postgres, prometheus, alertmanager, exporters). */
  readonly images: Readonly<Record<string, string>>;
}

export const E2E_IMAGES = {
  nodeWithHeaders: 'aisuite-e2e/node:20-bookworm-slim-headers',
  crasher: 'aisuite-e2e/crasher:1',
  sleeper: 'aisuite-e2e/sleeper:1',
} as const;
