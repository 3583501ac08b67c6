/**
 * A real-kcp test harness for provider teams (think envtest): build or find kcp, start it on
 * loopback, create workspaces, apply objects, bind exports and make least-privilege identities.
 *
 * @packageDocumentation
 */

export { type PolicyRule, providerIdentityRules } from "../api/provider-identity.js";
export { type WaitOptions, waitFor } from "../util/wait.js";
export { type BootstrapProviderOptions, type BootstrappedProvider, bootstrapProvider } from "./bootstrap.js";
export {
  type BootstrapProviderWorkspaceOptions,
  bootstrapProviderWorkspace,
  type ProviderWorkspaceBootstrap,
  type SkippedObject,
} from "./bootstrap-workspace.js";
export {
  type FailNextOptions,
  type FakeKcpFaults,
  type FakeKcpInstance,
  type StartFakeKcpOptions,
  startFakeKcp,
} from "./fake/index.js";
export {
  type KcpGlobalSetup,
  type KcpGlobalSetupOptions,
  kcpGlobalSetup,
  type ProvidedKcp,
} from "./global-setup.js";
export { createServiceAccountIdentity, type Identity, type IdentityOptions } from "./identity.js";
export {
  DEFAULT_KCP_VERSION,
  type EnsureKcpOptions,
  ensureKcpBinaries,
  type KcpBinaries,
  kcpCacheDir,
  SHARDED_KCP_BINARIES,
} from "./kcp-binary.js";
export {
  DEFAULT_KCP_RELEASE_URL,
  type DownloadKcpOptions,
  downloadKcp,
  KcpChecksumError,
  KcpDownloadUnavailable,
  kcpReleaseAssets,
} from "./kcp-download.js";
export {
  freePorts,
  type KcpInstance,
  type StartKcpOptions,
  startKcp,
  stopProcessGroup,
} from "./kcp-server.js";
export {
  type ShardedKcpInstance,
  type ShardInfo,
  type StartShardedKcpOptions,
  startShardedKcp,
} from "./kcp-sharded.js";
export {
  apply,
  bindExport,
  createWorkspace,
  type PermissionClaim,
  parseYamlObjects,
  resourcePath,
  type WorkspaceLocation,
  type WorkspaceRef,
  waitForEndpointSliceUrls,
} from "./workspaces.js";
