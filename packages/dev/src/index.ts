/**
 * `@kcp-mesh/dev`: the `mesh-dev` command. The live loop of a provider project (`DevLoop`), and a
 * local kcp (`LocalKcp`) that `mesh-dev kcp up` and this repository's `npm run kcp:up` share.
 *
 * @packageDocumentation
 */

export { HELP, runDev } from "./cli.js";
export { kcpCommand, LocalKcp } from "./local-kcp.js";
export { DevLoop, type DevOptions } from "./loop.js";
export {
  collectionPath,
  type Deployed,
  type DeployedResource,
  defaultSamples,
  readDeploy,
} from "./project.js";
