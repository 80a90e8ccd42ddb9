// Build-time stand-in for the MCP SDK's default ajv validator module. The SDK imports ajv statically even when a
// client brings its own validator (we always pass CfWorkerJsonSchemaValidator); ajv compiles schemas with
// `new Function` and adds ~130 KB, so both bundles resolve that import here instead. Same export name, real validator.
export { CfWorkerJsonSchemaValidator as AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
