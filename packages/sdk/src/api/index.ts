/**
 * Describe a provider's API once, in zod: `mesh-codegen` turns it into kcp's APIResourceSchema and
 * APIExport YAML, and the runtime uses the same definition for types and validation. This module has
 * no network code, so build tools can import it.
 *
 * @packageDocumentation
 */
export {
  type ApiDefinition,
  type ApiInput,
  defineApi,
  isApiDefinition,
  type PermissionClaimDefinition,
  type ProviderInfo,
} from "./api.js";
export {
  type CelCheck,
  type CelFailure,
  type CelRuleLike,
  type CelSchema,
  celFieldName,
  checkCelRule,
  evaluateCelRules,
  maxSizeOf,
  minSerializedSize,
} from "./cel.js";
export {
  checkCelTransformation,
  evaluateCelTransformation,
  type TransformationCheck,
} from "./cel-transformation.js";
export type {
  CheckConversions,
  ConversionRule,
  ConversionsInput,
  ConversionsOf,
  FieldPaths,
  LeafPaths,
  LostFields,
  NormalizedConversion,
  NormalizedRule,
  RequiredPaths,
  UnproducedFields,
  VersionConversion,
  VersionObject,
} from "./conversion.js";
export { type ConversionWebhookConfig, withConversionWebhook } from "./conversion-webhook-form.js";
export { convertObject, PRESERVE_ANNOTATION_PREFIX } from "./convert-object.js";
export { type InVersion, inVersion } from "./in-version.js";
export type {
  Infer,
  InferInput,
  InferSpec,
  InferSpecInput,
  InferStatus,
  StorageVersion,
  VersionOf,
} from "./infer.js";
export {
  type AnyZodSchema,
  type CelRule,
  cel,
  embeddedResource,
  goDuration,
  intOrString,
  type KubeExtensions,
  listMap,
  listType,
  mapType,
  preserveUnknownFields,
  zod3ExtensionsOf,
} from "./kube-extensions.js";
export { apiGroupProblem } from "./names.js";
export {
  type PolicyRule,
  providerContentVerbs,
  providerIdentityRules,
  RUNTIME_CONTENT_VERBS,
} from "./provider-identity.js";
export type {
  MarketplaceContact,
  MarketplaceImage,
  MarketplaceLink,
  PortalContent,
  ProviderIcon,
} from "./provider-info.js";
export {
  type AnyResource,
  defineResource,
  type PrinterColumn,
  type ResourceDefinition,
  type ResourceInput,
  type StorageVersionOf,
  type VersionDefinition,
} from "./resource.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
export { joinPath, type ValidationIssue, type ValidationResult, validateObject } from "./validate-object.js";
