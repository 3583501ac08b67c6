/**
 * `@kcp-mesh/create-provider`: `npm init @kcp-mesh/provider <dir>` writes a kcp provider project.
 * The functions behind the command, for tools that scaffold programmatically.
 *
 * @packageDocumentation
 */

export { type CreateIo, create, HELP } from "./create.js";
export {
  FLAVOURS,
  type Flavour,
  kindFromDir,
  type ProjectOptions,
  pluralOf,
  SCOPES,
  type Scope,
  validate,
} from "./options.js";
export { PINNED, renderProject } from "./templates.js";
