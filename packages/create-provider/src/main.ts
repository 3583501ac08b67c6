// The executable entry of `create-provider` (`npm init @kcp-mesh/provider`).
import { create } from "./create.js";

process.exitCode = await create(process.argv.slice(2));
