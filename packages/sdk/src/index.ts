/**
 * The kcp / Platform Mesh provider SDK.
 *
 * @packageDocumentation
 */
export { KubeApiError, KubeClient, type KubeRequest, type Query } from "./transport/kube-client.js";
export { KubeConfigError, type KubeConfigSource, loadKubeConfig } from "./transport/kube-config.js";
export { CLUSTER_ANNOTATION, type KubeObject, type ObjectMeta, workspaceOf } from "./util/objects.js";
export * from "./api/index.js";
// runtime: list/watch, store, workspaces
export * from "./runtime/index.js";
